// disk_queue: a process pushes numbered records into a DiskQueue, commits (sometimes
// several commits at once), pops from the front, and is crashed and rebooted again and
// again on a disk that loses or garbles unsynced pages. Invariants, checked at every
// recovery:
//   - every record whose commit completed and that was not popped is recovered, intact;
//   - the recovered records are consecutive, in order, with exactly the content pushed
//     (records of a commit in progress may appear, but only whole and exact);
//   - nothing popped before a completed commit comes back (a pop becomes durable with
//     the next commit), and no garbage passes for a record;
// and between crashes, reading back from any committed, unpopped record returns it and
// the records after it, consecutive and exact.

#include <algorithm>
#include <deque>
#include <string>

#include "rpc/serialize.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "server/disk/disk_queue.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class DiskQueueWorkload final : public Workload {
 public:
  explicit DiskQueueWorkload(Options& options)
      : record_bytes_max_(options.get_int("record_bytes_max", 10000)),
        crash_interval_s_(options.get_double("crash_interval_s", 4.0)) {}

  std::string name() const override { return "disk_queue"; }

  Future<Void> setup(WorkloadContext& context) override {
    sim::SimMachine& machine = context.simulator().add_machine("queue", "zone-queue");
    process_ = &context.simulator().add_process(machine, "queue", 4500, "/queue",
                                                [this] { return queue_main(); });
    return ready();
  }

  Future<Void> start(WorkloadContext& context) override {
    return crash_repeatedly(context, *process_, crash_interval_s_, 0.5, &crashes_);
  }

  Future<Void> check(WorkloadContext& context) override {
    uint64_t before = recoveries_;
    context.simulator().reboot_process(*process_, 0.1);
    while (recoveries_ == before)
      co_await delay(0.5);
    if (committed_ == 0) context.fail(name(), "no commit ever completed");
    if (recoveries_ < 3)
      context.fail(name(), "only " + std::to_string(recoveries_) + " recoveries");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"crashes", std::to_string(crashes_)},
            {"recoveries", std::to_string(recoveries_)},
            {"records_committed", std::to_string(committed_)},
            {"records_popped", std::to_string(popped_)},
            {"reads", std::to_string(reads_)}};
  }

 private:
  // Record `id`: its id, then bytes that are a pure function of it.
  std::string record_for(uint64_t id) const {
    Random generator(id * 0x9e3779b97f4a7c15ULL + 3);
    BinaryWriter writer;
    writer.write_integer(id);
    std::string body =
        generator.bytes(static_cast<size_t>(generator.uniform(0, record_bytes_max_)));
    writer.write_raw(body.data(), body.size());
    return writer.take();
  }

  void fail(const std::string& reason) { sim::simulator().fail(name() + ": " + reason); }

  // Returns the id of the first recovered record (one past the last if none).
  uint64_t verify(const std::vector<DiskQueue::Record>& records) {
    // Expected: consecutive ids from somewhere in (durably popped, popped + 1], up to at
    // least the last committed one; more only from the commit that was in progress.
    uint64_t expected = 0;
    for (const DiskQueue::Record& record : records) {
      if (record.bytes.size() < 8) {
        fail("a recovered record is too short to hold its id");
        break;
      }
      uint64_t id =
          BinaryReader(std::string_view(record.bytes).substr(0, 8)).read_integer<uint64_t>();
      if (expected == 0) {
        if (id <= popped_durable_ || id > popped_ + 1) {
          fail("the first recovered record is " + std::to_string(id) + ", not in (" +
               std::to_string(popped_durable_) + ", " + std::to_string(popped_ + 1) + "]");
        }
        expected = id;
      }
      if (id != expected) {
        fail("recovered record " + std::to_string(id) + " where " + std::to_string(expected) +
             " was expected");
        break;
      }
      if (record.bytes != record_for(id)) {
        fail("record " + std::to_string(id) + " came back with the wrong content");
      }
      if (id > pushed_) fail("record " + std::to_string(id) + " was never pushed");
      ++expected;
    }
    if (expected == 0) expected = popped_ + 1;  // nothing recovered
    uint64_t first = records.empty() ? expected : expected - records.size();
    if (expected - 1 < committed_ && expected <= committed_) {
      fail("committed record " + std::to_string(expected) + " was lost (" +
           std::to_string(committed_) + " were committed)");
    }
    return first;
  }

  Future<Void> record_commit(Future<Void> done, uint64_t covered, uint64_t popped) {
    co_await done;
    committed_ = std::max(committed_, covered);
    popped_durable_ = std::max(popped_durable_, popped);
  }

  Future<Void> queue_main() {
    DiskQueue::Recovery recovery = co_await DiskQueue::open("/queue/log");
    uint64_t first = verify(recovery.records);
    ++recoveries_;
    std::unique_ptr<DiskQueue> queue = std::move(recovery.queue);
    // What this incarnation holds: (id, location) of live records, oldest first.
    popped_ = popped_durable_ = first - 1;
    std::deque<std::pair<uint64_t, DiskQueue::Location>> live;
    for (const DiskQueue::Record& record : recovery.records) {
      live.emplace_back(first + live.size(), record.location);
    }
    pushed_ = committed_ = popped_ + live.size();

    Random& random = env().random();
    ActorCollection commits;
    while (true) {
      int pushes = static_cast<int>(random.uniform(1, 6));
      for (int i = 0; i < pushes; ++i) {
        uint64_t id = ++pushed_;
        live.emplace_back(id, queue->push(record_for(id)));
      }
      uint64_t covered = pushed_;
      uint64_t popped_at_commit = popped_;
      commits.add(record_commit(queue->commit(), covered, popped_at_commit));
      if (random.chance(0.5)) co_await delay(random.exponential(0.002));
      // Pop a committed prefix now and then.
      if (random.chance(0.3) && !live.empty()) {
        uint64_t upto = popped_ + static_cast<uint64_t>(
                                      random.uniform(0, static_cast<int64_t>(live.size()) + 1));
        upto = std::min(upto, committed_);
        while (!live.empty() && live.front().first <= upto)
          live.pop_front();
        if (upto > popped_) {
          queue->pop(live.empty() ? queue->end_location() : live.front().second);
          popped_ = upto;
        }
      }
      if (random.chance(0.2)) co_await read_back(*queue, live);
      co_await delay(random.exponential(0.01));
    }
  }

  // Reads from a random committed record on and checks what comes back.
  Future<Void> read_back(DiskQueue& queue,
                         const std::deque<std::pair<uint64_t, DiskQueue::Location>>& live) {
    std::vector<std::pair<uint64_t, DiskQueue::Location>> committed;
    for (const auto& entry : live) {
      if (entry.first <= committed_) committed.push_back(entry);
    }
    if (committed.empty()) co_return;
    Random& random = env().random();
    auto [id, location] = random.pick(committed);
    int64_t bytes_max = random.uniform(1, 4 * record_bytes_max_ + 2);
    std::vector<DiskQueue::Record> records = co_await queue.read(location, bytes_max);
    ++reads_;
    if (records.empty())
      fail("reading from committed record " + std::to_string(id) + " gave nothing");
    for (const DiskQueue::Record& record : records) {
      if (record.bytes != record_for(id) || id > pushed_) {
        fail("reading back from a committed record gave something else than record " +
             std::to_string(id));
        break;
      }
      ++id;
    }
  }

  const int64_t record_bytes_max_;
  const double crash_interval_s_;
  sim::SimProcess* process_ = nullptr;
  uint64_t pushed_ = 0;
  uint64_t committed_ = 0;
  uint64_t popped_ = 0;
  // Pops a completed commit carried to disk: those records must never come back.
  uint64_t popped_durable_ = 0;
  uint64_t crashes_ = 0;
  uint64_t recoveries_ = 0;
  uint64_t reads_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_disk_queue_workload(Options& options) {
  return std::make_unique<DiskQueueWorkload>(options);
}

}  // namespace strata
