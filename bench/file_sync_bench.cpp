// A 4 KiB page written and made durable through the real environment (pwrite and
// fdatasync on the thread pool, the completion back on the loop): the floor under every
// log commit, since a commit is acknowledged only after such a sync. The file goes in
// STRATA_BENCH_DIR (default: the current folder), so that it measures the disk the data
// would live on.

#include <cstdint>
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "runtime/real/real_environment.h"

namespace strata::bench {
namespace {

constexpr size_t page_bytes = 4096;
// Pages the file cycles through, so that the writes are not all to one page.
constexpr int64_t pages_in_file = 256;
constexpr int64_t syncs_per_batch = 16;

std::string bench_directory() {
  const char* directory = std::getenv("STRATA_BENCH_DIR");
  return directory ? directory : ".";
}

// Writes and syncs `count` pages, one after the other, then stops the loop.
Future<Void> write_and_sync(std::shared_ptr<File> file, int64_t first, int64_t count,
                            std::optional<Error>* failure) {
  try {
    for (int64_t i = first; i < first + count; ++i) {
      std::string page(page_bytes, static_cast<char>('a' + i % 26));
      co_await file->write((i % pages_in_file) * static_cast<int64_t>(page_bytes), std::move(page));
      co_await file->sync();
    }
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    *failure = error;
  }
  env().stop();
}

Future<Void> open_bench_file(std::string path, std::shared_ptr<File>* file) {
  try {
    *file = co_await env().open_file(path, open_flags::read_write | open_flags::create);
  } catch (Error&) {
    env().stop();
    throw;
  }
  env().stop();
}

Future<Void> remove_bench_file(std::string path) {
  try {
    co_await env().delete_file(path);
  } catch (Error&) {
    // Left behind; nothing to measure there.
  }
  env().stop();
}

void BM_FileWriteAndSync(benchmark::State& state) {
  LiveActorCheck live_actor_check(state);
  real::RealEnvironment environment;
  const std::string path = bench_directory() + "/strata-microbench-sync.tmp";
  std::shared_ptr<File> file;
  {
    Future<Void> opened = open_bench_file(path, &file);
    environment.run();
    if (opened.is_error()) {
      state.SkipWithError(("cannot open " + path + ": " + opened.error().message()).c_str());
      return;
    }
  }
  int64_t written = 0;
  std::optional<Error> failure;
  while (state.KeepRunningBatch(syncs_per_batch)) {
    Future<Void> batch = write_and_sync(file, written, syncs_per_batch, &failure);
    environment.run();
    written += syncs_per_batch;
    if (failure) {
      state.SkipWithError(failure->message().c_str());
      break;
    }
  }
  file.reset();
  Future<Void> removed = remove_bench_file(path);
  environment.run();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FileWriteAndSync)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace strata::bench
