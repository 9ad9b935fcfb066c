#include "runtime/environment.h"

#include "runtime/combinators.h"

namespace strata {

namespace {
thread_local Environment* current_environment = nullptr;
}  // namespace

Environment& env() {
  STRATA_ASSERT_MSG(current_environment != nullptr, "no environment is running on this thread");
  return *current_environment;
}

bool has_env() {
  return current_environment != nullptr;
}

void set_env(Environment* environment) {
  current_environment = environment;
}

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Future<Void> File::write_and_sync(int64_t offset, std::string data) {
  co_await write(offset, std::move(data));
  co_await sync();
}

Future<Void> delay(double seconds) {
  return env().delay(seconds);
}

}  // namespace strata
