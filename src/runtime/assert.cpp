#include "runtime/assert.h"

#include <cstdio>
#include <cstdlib>

namespace strata {

void assertion_failed(const char* condition, const char* file, int line, const char* message) {
  std::fprintf(stderr, "Assertion failed: %s at %s:%d%s%s\n", condition, file, line,
               message ? ": " : "", message ? message : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace strata
