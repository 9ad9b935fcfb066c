// disk_durability: a writer process appends checksummed records to a journal, syncs now
// and then, and is crashed and rebooted again and again; the disk loses or garbles what
// was not synced. The simulated disk may garble a whole page that was written since the
// last sync, bytes synced earlier included, so the writer follows the discipline every
// durable format here must: after a sync it starts on a fresh page, never rewriting a
// page that holds synced data (zero bytes pad the rest of the page). Invariants, checked
// at every reboot:
//   - every record acknowledged as synced is read back intact;
//   - a record that passes its checksum has exactly the content that was written (no
//     garbage is ever taken for data);
//   - a full disk fails writes with disk_full and nothing else breaks.

#include <algorithm>
#include <string>

#include "rpc/frame.h"
#include "rpc/serialize.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/sim/sim_knobs.h"
#include "workloads/workload.h"

namespace strata {

namespace {

constexpr size_t record_header_bytes = 16;  // u32 length, u32 checksum, u64 sequence

class DiskDurabilityWorkload final : public Workload {
 public:
  explicit DiskDurabilityWorkload(Options& options)
      : record_bytes_max_(options.get_int("record_bytes_max", 3000)),
        sync_probability_(options.get_double("sync_probability", 0.2)),
        crash_interval_s_(options.get_double("crash_interval_s", 5.0)),
        full_disk_probability_(options.get_double("full_disk_probability", 0.3)) {}

  std::string name() const override { return "disk_durability"; }

  Future<Void> setup(WorkloadContext& context) override {
    sim::Simulator& simulator = context.simulator();
    machine_ = &simulator.add_machine("journal", "zone-journal");
    if (simulator.random().chance(full_disk_probability_)) {
      machine_->files.capacity_bytes = simulator.random().uniform(20'000, 200'000);
    }
    writer_ = &simulator.add_process(*machine_, "writer", 4500, "/journal",
                                     [this] { return writer_main(); });
    return ready();
  }

  Future<Void> start(WorkloadContext& context) override {
    return crash_repeatedly(context, *writer_, crash_interval_s_, 1.0, &crashes_, [this] {
      // An operator frees space now and then, so a full disk is not the end of the test.
      int64_t& capacity = machine_->files.capacity_bytes;
      if (capacity < INT64_MAX / 2 && env().random().chance(0.2)) capacity *= 2;
    });
  }

  Future<Void> check(WorkloadContext& context) override {
    // One last crash: everything synced so far must survive it too.
    uint64_t recoveries_before = recoveries_;
    context.simulator().reboot_process(*writer_, 0.5);
    while (recoveries_ == recoveries_before)
      co_await delay(0.5);
    if (synced_ == 0) context.fail(name(), "no record was ever synced");
    if (recoveries_ < 2)
      context.fail(name(), "the writer recovered only " + std::to_string(recoveries_) + " times");
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"crashes", std::to_string(crashes_)},
            {"recoveries", std::to_string(recoveries_)},
            {"records_synced", std::to_string(synced_)},
            {"unsynced_records_lost", std::to_string(unsynced_lost_)},
            {"disk_full_errors", std::to_string(disk_full_errors_)}};
  }

 private:
  // The content of record `sequence`: a pure function of it, so any record read back
  // can be compared with what was written.
  std::string payload_for(uint64_t sequence) const {
    Random generator(sequence * 0x9e3779b97f4a7c15ULL + 17);
    return generator.bytes(static_cast<size_t>(generator.uniform(1, record_bytes_max_ + 1)));
  }

  static size_t page_ceiling(size_t offset) {
    const auto page = static_cast<size_t>(sim::sim_knobs().sim_disk_page_bytes);
    return (offset + page - 1) / page * page;
  }

  static std::string encode_record(uint64_t sequence, const std::string& payload) {
    BinaryWriter body;
    body.write_integer(sequence);
    body.write_raw(payload.data(), payload.size());
    BinaryWriter record;
    record.write_integer(static_cast<uint32_t>(payload.size()));
    record.write_integer(frame_checksum(body.data()));
    record.write_raw(body.data().data(), body.data().size());
    return record.take();
  }

  // The length of the record `sequence` at `offset`, or 0 if there is none (garbage,
  // zeros, a torn record, the end of the file, or another record).
  size_t record_at(const std::string& journal, size_t offset, uint64_t sequence) {
    if (offset > journal.size() || journal.size() - offset < record_header_bytes) return 0;
    BinaryReader header(std::string_view(journal).substr(offset, 8));
    auto length = header.read_integer<uint32_t>();
    auto checksum = header.read_integer<uint32_t>();
    if (length == 0 || length > static_cast<uint64_t>(record_bytes_max_) ||
        journal.size() - offset < record_header_bytes + length) {
      return 0;
    }
    std::string_view body = std::string_view(journal).substr(offset + 8, 8 + length);
    if (frame_checksum(body) != checksum) return 0;
    if (BinaryReader(body.substr(0, 8)).read_integer<uint64_t>() != sequence) return 0;
    if (body.substr(8) != payload_for(sequence)) {
      sim::simulator().fail(name() + ": record " + std::to_string(sequence) +
                            " passed its checksum with the wrong content");
      return 0;
    }
    return record_header_bytes + length;
  }

  // Reads the journal's valid prefix; returns its length in bytes and the number of
  // records in it. Each record follows the previous one directly, or (after a sync) at
  // the start of the next page. Records past the first missing one were never synced.
  std::pair<size_t, uint64_t> recover(const std::string& journal) {
    size_t offset = 0;
    uint64_t sequence = 0;
    while (true) {
      size_t length = record_at(journal, offset, sequence + 1);
      if (length == 0 && page_ceiling(offset) != offset) {
        length = record_at(journal, page_ceiling(offset), sequence + 1);
        if (length != 0) offset = page_ceiling(offset);
      }
      if (length == 0) return {offset, sequence};
      offset += length;
      ++sequence;
    }
  }

  // Any error but cancellation (the writer being killed) fails the test.
  Future<Void> writer_main() {
    try {
      co_await write_journal();
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      sim::simulator().fail(name() + ": the writer failed: " + error.message());
    }
  }

  Future<Void> write_journal() {
    const std::string path = "/journal/records";
    co_await env().create_directories("/journal");
    std::shared_ptr<File> file =
        co_await env().open_file(path, open_flags::read_write | open_flags::create);
    std::string journal = co_await file->read(0, co_await file->size());
    auto [valid_bytes, valid_records] = recover(journal);
    if (valid_records < synced_) {
      sim::simulator().fail(name() + ": only " + std::to_string(valid_records) +
                            " records survived but " + std::to_string(synced_) + " were synced");
    }
    unsynced_lost_ += written_ > valid_records ? written_ - valid_records : 0;
    co_await file->truncate(static_cast<int64_t>(valid_bytes));
    co_await file->sync();
    synced_ = written_ = valid_records;
    ++recoveries_;
    TraceEvent("JournalRecovered").detail("Records", valid_records).detail("Bytes", valid_bytes);

    Random& random = env().random();
    uint64_t offset = page_ceiling(valid_bytes);
    while (true) {
      std::string record = encode_record(written_ + 1, payload_for(written_ + 1));
      bool refused = false;
      try {
        co_await file->write(static_cast<int64_t>(offset), record);
      } catch (Error& error) {
        if (!error.is(ErrorCode::disk_full)) throw;
        ++disk_full_errors_;
        refused = true;
      }
      if (!refused) {
        offset += record.size();
        ++written_;
      }
      co_await delay(random.exponential(refused ? 0.5 : 0.05));
      if (!refused && random.chance(sync_probability_)) {
        uint64_t covered = written_;
        co_await file->sync();
        synced_ = std::max(synced_, covered);
        offset = page_ceiling(offset);
      }
    }
  }

  const int64_t record_bytes_max_;
  const double sync_probability_;
  const double crash_interval_s_;
  const double full_disk_probability_;

  sim::SimMachine* machine_ = nullptr;
  sim::SimProcess* writer_ = nullptr;
  uint64_t written_ = 0;
  uint64_t synced_ = 0;
  uint64_t crashes_ = 0;
  uint64_t recoveries_ = 0;
  uint64_t unsynced_lost_ = 0;
  uint64_t disk_full_errors_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_disk_durability_workload(Options& options) {
  return std::make_unique<DiskDurabilityWorkload>(options);
}

}  // namespace strata
