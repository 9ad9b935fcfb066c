#include "server/disk/disk_queue.h"

#include <algorithm>
#include <optional>

#include "rpc/frame.h"
#include "rpc/serialize.h"
#include "runtime/buggify.h"
#include "runtime/trace.h"
#include "server/server_knobs.h"

namespace strata {

namespace {

constexpr size_t page_bytes = 4096;
constexpr uint32_t page_magic = 0x51445453;  // "STDQ"
constexpr uint32_t record_header_bytes = 4;  // u32 length

}  // namespace

// The fixed-size header at the start of every page, little-endian.
struct DiskQueue::PageHeader {
  static constexpr size_t bytes = 48;
  static constexpr size_t payload_capacity = page_bytes - bytes;

  uint32_t checksum = 0;  // of the page's bytes after this field
  uint32_t magic = page_magic;
  uint64_t sequence = 0;
  uint64_t commit_first_sequence = 0;
  uint32_t commit_pages = 0;
  uint32_t payload_bytes = 0;
  uint64_t first_byte = 0;  // where the payload starts in the record stream
  uint64_t popped = 0;      // the stream's first live byte when the page was written

  bool last_of_commit() const { return sequence + 1 == commit_first_sequence + commit_pages; }
  uint64_t end_byte() const { return first_byte + payload_bytes; }

  void encode(char* page) const {
    BinaryWriter writer;
    writer.write_integer(uint32_t{0});
    writer.write_integer(magic);
    writer.write_integer(sequence);
    writer.write_integer(commit_first_sequence);
    writer.write_integer(commit_pages);
    writer.write_integer(payload_bytes);
    writer.write_integer(first_byte);
    writer.write_integer(popped);
    STRATA_ASSERT(writer.data().size() == bytes);
    std::copy(writer.data().begin(), writer.data().end(), page);
    uint32_t sum = frame_checksum(std::string_view(page + 4, page_bytes - 4));
    for (int i = 0; i < 4; ++i)
      page[i] = static_cast<char>((sum >> (8 * i)) & 0xff);
  }

  // The header of a page that passes its checksum and is self-consistent, or nullopt.
  static std::optional<PageHeader> decode(std::string_view page) {
    BinaryReader reader(page.substr(0, bytes));
    PageHeader header;
    header.checksum = reader.read_integer<uint32_t>();
    header.magic = reader.read_integer<uint32_t>();
    header.sequence = reader.read_integer<uint64_t>();
    header.commit_first_sequence = reader.read_integer<uint64_t>();
    header.commit_pages = reader.read_integer<uint32_t>();
    header.payload_bytes = reader.read_integer<uint32_t>();
    header.first_byte = reader.read_integer<uint64_t>();
    header.popped = reader.read_integer<uint64_t>();
    if (header.magic != page_magic) return std::nullopt;
    if (header.checksum != frame_checksum(page.substr(4))) return std::nullopt;
    if (header.payload_bytes > payload_capacity || header.commit_pages == 0 ||
        header.sequence < header.commit_first_sequence ||
        header.sequence >= header.commit_first_sequence + header.commit_pages ||
        header.popped > header.end_byte()) {
      return std::nullopt;
    }
    return header;
  }
};

struct DiskQueue::QueueFile {
  std::shared_ptr<File> file;
  int64_t pages = 0;
  // The stream bytes its pages hold: [first_byte, end_byte); meaningless when pages == 0.
  uint64_t first_byte = 0;
  uint64_t end_byte = 0;
  // The file's size as far as this queue wrote it: its pages, then zeros. Pages past
  // `pages` never hold anything but zeros, which recovery skips (no page magic).
  int64_t written_bytes = 0;
  // Where each page's payload starts in the stream (pages.size() == pages once written).
  std::vector<uint64_t> page_first_bytes;
};

namespace {

struct RecoveredPage {
  DiskQueue::PageHeader header;
  int file;
  int64_t index;  // page number within its file
  std::string_view payload;
};

[[noreturn]] void corrupt(const std::string& path, const std::string& problem) {
  throw Error(ErrorCode::file_corrupt, "disk queue " + path + ": " + problem);
}

// The pages of both files that recovery keeps: the run of consecutive sequence numbers
// from the oldest page, cut at the first gap and without an incomplete last commit.
std::vector<RecoveredPage> recover_chain(const std::string contents[2], const std::string& path) {
  std::vector<RecoveredPage> pages;
  for (int file = 0; file < 2; ++file) {
    const std::string& bytes = contents[file];
    for (size_t offset = 0; offset + page_bytes <= bytes.size(); offset += page_bytes) {
      std::string_view page = std::string_view(bytes).substr(offset, page_bytes);
      if (auto header = DiskQueue::PageHeader::decode(page)) {
        pages.push_back({*header, file, static_cast<int64_t>(offset / page_bytes),
                         page.substr(DiskQueue::PageHeader::bytes, header->payload_bytes)});
      }
    }
  }
  std::sort(pages.begin(), pages.end(), [](const RecoveredPage& a, const RecoveredPage& b) {
    return a.header.sequence < b.header.sequence;
  });
  size_t chain = 0;
  while (chain < pages.size()) {
    if (chain > 0) {
      const DiskQueue::PageHeader& previous = pages[chain - 1].header;
      const DiskQueue::PageHeader& page = pages[chain].header;
      bool follows = page.sequence == previous.sequence + 1;
      bool same_commit = page.commit_first_sequence == previous.commit_first_sequence &&
                         page.commit_pages == previous.commit_pages;
      bool next_commit = previous.last_of_commit() && page.commit_first_sequence == page.sequence;
      if (!follows || !(same_commit || next_commit)) break;
      if (page.first_byte != previous.end_byte()) {
        corrupt(path, "page " + std::to_string(page.sequence) + " does not continue the stream");
      }
    } else if (pages[0].header.sequence != pages[0].header.commit_first_sequence) {
      break;  // the oldest page must start a commit; anything else is a fragment
    }
    ++chain;
  }
  pages.resize(chain);
  // A commit that did not reach the disk whole never happened.
  while (!pages.empty() && !pages.back().header.last_of_commit())
    pages.pop_back();
  return pages;
}

}  // namespace

Future<DiskQueue::Recovery> DiskQueue::open(std::string path) {
  std::shared_ptr<File> files[2];
  std::string contents[2];
  for (int i = 0; i < 2; ++i) {
    files[i] = co_await env().open_file(path + "." + std::to_string(i),
                                        open_flags::read_write | open_flags::create);
    contents[i] = co_await files[i]->read(0, co_await files[i]->size());
  }
  // The files may have just been created: make their names durable too.
  co_await env().sync_directory(directory_of(path));
  std::vector<RecoveredPage> chain = recover_chain(contents, path);

  std::unique_ptr<DiskQueue> queue(new DiskQueue(path, files[0], files[1]));
  Recovery recovery;
  if (chain.empty()) {
    for (auto& file : queue->files_) {
      co_await file->file->truncate(0);
      file->written_bytes = 0;
    }
  } else {
    // Resume after the last kept page. Anything beyond it in its file (a torn commit) is
    // cut off now, so that no stale page can ever join a later chain.
    const RecoveredPage& last = chain.back();
    queue->current_ = last.file;
    queue->next_sequence_ = last.header.sequence + 1;
    // A pop recorded before the oldest kept page (its file was reused since) ends at that
    // page: the stream the records are read from starts there at the earliest.
    queue->popped_ = std::max(last.header.popped, chain.front().header.first_byte);
    queue->pushed_end_ = queue->durable_end_ = queue->unwritten_start_ = last.header.end_byte();
    for (const RecoveredPage& page : chain) {
      QueueFile& file = *queue->files_[page.file];
      if (file.pages == 0) file.first_byte = page.header.first_byte;
      STRATA_ASSERT_MSG(page.index == static_cast<int64_t>(file.page_first_bytes.size()),
                        "a recovered chain skips pages of a file");
      file.page_first_bytes.push_back(page.header.first_byte);
      file.pages = std::max(file.pages, page.index + 1);
      file.end_byte = page.header.end_byte();
    }
    QueueFile& current = *queue->files_[queue->current_];
    current.written_bytes = current.pages * static_cast<int64_t>(page_bytes);
    co_await current.file->truncate(current.written_bytes);
    // Pages of the other file that are not in the chain are older than it: drop them.
    QueueFile& other = *queue->files_[1 - queue->current_];
    if (other.pages == 0) co_await other.file->truncate(0);
    // A file is written from its start again only after a truncation (switch_files...).
    other.written_bytes = 0;

    // The live stream, from the popped point to the end, and the records in it.
    std::string stream;
    for (const RecoveredPage& page : chain) {
      if (page.header.end_byte() <= queue->popped_) continue;
      size_t skip = page.header.first_byte < queue->popped_
                        ? static_cast<size_t>(queue->popped_ - page.header.first_byte)
                        : 0;
      stream.append(page.payload.substr(skip));
    }
    Location location = queue->popped_;
    std::string_view rest = stream;
    while (!rest.empty()) {
      if (rest.size() < record_header_bytes) corrupt(path, "a record header is cut short");
      auto length = BinaryReader(rest.substr(0, record_header_bytes)).read_integer<uint32_t>();
      if (rest.size() - record_header_bytes < length) corrupt(path, "a record is cut short");
      recovery.records.push_back({location, std::string(rest.substr(record_header_bytes, length))});
      rest.remove_prefix(record_header_bytes + length);
      location += record_header_bytes + length;
    }
  }
  for (auto& file : queue->files_)
    co_await file->file->sync();
  TraceEvent("DiskQueueRecovered")
      .detail("Path", path)
      .detail("Records", recovery.records.size())
      .detail("Popped", queue->popped_)
      .detail("End", queue->pushed_end_);
  recovery.queue = std::move(queue);
  co_return recovery;
}

DiskQueue::DiskQueue(std::string path, std::shared_ptr<File> first, std::shared_ptr<File> second)
    : path_(std::move(path)) {
  for (std::shared_ptr<File>* file : {&first, &second}) {
    files_.push_back(std::make_unique<QueueFile>());
    files_.back()->file = std::move(*file);
  }
}

DiskQueue::~DiskQueue() {
  *alive_ = false;
}

DiskQueue::Location DiskQueue::push(std::string_view record) {
  STRATA_ASSERT_MSG(
      static_cast<int64_t>(record.size()) <= server_knobs().disk_queue_record_bytes_max,
      "a disk queue record is too large");
  Location location = pushed_end_;
  BinaryWriter header;
  header.write_integer(static_cast<uint32_t>(record.size()));
  unwritten_ += header.data();
  unwritten_.append(record);
  pushed_end_ += record_header_bytes + record.size();
  return location;
}

void DiskQueue::pop(Location location) {
  STRATA_ASSERT_MSG(location <= pushed_end_, "popping past the end of the queue");
  popped_ = std::max(popped_, location);
}

int64_t DiskQueue::bytes_on_disk() const {
  return (files_[0]->pages + files_[1]->pages) * static_cast<int64_t>(page_bytes);
}

Future<Void> DiskQueue::commit() {
  if (failed_) return *failed_;
  if (pushed_end_ == durable_end_) return ready();
  Promise<Void> done;
  Future<Void> committed = done.get_future();
  waiters_.push_back({pushed_end_, std::move(done)});
  if (!writer_.is_valid() || writer_.is_ready()) writer_ = write_loop();
  return committed;
}

Future<Void> DiskQueue::write_loop() {
  // Waking a waiter may destroy this queue; the flag says so without touching it.
  std::shared_ptr<bool> alive = alive_;
  try {
    while (!waiters_.empty()) {
      if (!unwritten_.empty()) {
        std::string bytes = std::exchange(unwritten_, std::string());
        Location first_byte = std::exchange(unwritten_start_, pushed_end_);
        Location end = first_byte + bytes.size();
        co_await switch_files_if_worthwhile();
        co_await write_commit(std::move(bytes), first_byte);
        durable_end_ = end;
      }
      // Wake the commits this write covered; later ones wait for the next round.
      std::vector<Waiter> still_waiting;
      std::vector<Promise<Void>> covered;
      for (Waiter& waiter : waiters_) {
        if (waiter.target <= durable_end_) {
          covered.push_back(std::move(waiter.done));
        } else {
          still_waiting.push_back(std::move(waiter));
        }
      }
      waiters_ = std::move(still_waiting);
      for (Promise<Void>& promise : covered)
        promise.send(Void{});
      if (!*alive) co_return;
    }
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    if (!*alive) co_return;
    TraceEvent(Severity::warn_always, "DiskQueueWriteFailed").detail("Path", path_).error(error);
    failed_ = error;
    std::vector<Waiter> failed = std::move(waiters_);
    for (Waiter& waiter : failed)
      waiter.done.send_error(error);
  }
}

Future<Void> DiskQueue::write_commit(std::string stream_bytes, Location first_byte) {
  const size_t capacity = PageHeader::payload_capacity;
  const auto pages = static_cast<uint32_t>((stream_bytes.size() + capacity - 1) / capacity);
  std::string buffer(static_cast<size_t>(pages) * page_bytes, '\0');
  for (uint32_t i = 0; i < pages; ++i) {
    PageHeader header;
    header.sequence = next_sequence_ + i;
    header.commit_first_sequence = next_sequence_;
    header.commit_pages = pages;
    size_t begin = i * capacity;
    header.payload_bytes = static_cast<uint32_t>(std::min(capacity, stream_bytes.size() - begin));
    header.first_byte = first_byte + begin;
    header.popped = popped_;
    char* page = buffer.data() + static_cast<size_t>(i) * page_bytes;
    std::copy_n(stream_bytes.data() + begin, header.payload_bytes, page + PageHeader::bytes);
    header.encode(page);
  }
  QueueFile& file = *files_[current_];
  const int64_t offset = file.pages * static_cast<int64_t>(page_bytes);
  const int64_t end = offset + static_cast<int64_t>(buffer.size());
  const int64_t ahead = server_knobs().disk_queue_zeroed_ahead_bytes;
  if (ahead > 0 && end > file.written_bytes) {
    // Zeros from the end of this commit on, synced with it by the same sync.
    const auto page = static_cast<int64_t>(page_bytes);
    const int64_t zeros_end = (end + ahead + page - 1) / page * page;
    co_await file.file->write(end, std::string(static_cast<size_t>(zeros_end - end), '\0'));
    file.written_bytes = zeros_end;
  }
  co_await file.file->write_and_sync(offset, std::move(buffer));
  file.written_bytes = std::max(file.written_bytes, end);
  if (file.pages == 0) file.first_byte = first_byte;
  for (uint32_t i = 0; i < pages; ++i)
    file.page_first_bytes.push_back(first_byte + static_cast<uint64_t>(i) * capacity);
  file.pages += pages;
  file.end_byte = first_byte + stream_bytes.size();
  next_sequence_ += pages;
}

Future<Void> DiskQueue::switch_files_if_worthwhile() {
  QueueFile& current = *files_[current_];
  QueueFile& other = *files_[1 - current_];
  if (current.pages * static_cast<int64_t>(page_bytes) <
      server_knobs().disk_queue_file_bytes_target) {
    co_return;
  }
  // The other file can be reused only once nothing in it is live any more.
  if (other.pages > 0 && other.end_byte > popped_) co_return;
  // Truncate durably before writing: a stale page of the old contents must never be
  // read back as part of the new ones.
  co_await other.file->truncate(0);
  co_await other.file->sync();
  other.pages = 0;
  other.written_bytes = 0;
  other.page_first_bytes.clear();
  current_ = 1 - current_;
  TraceEvent(Severity::debug, "DiskQueueSwitchedFiles")
      .detail("Path", path_)
      .detail("File", current_);
}

Future<std::string> DiskQueue::read_stream(Location begin, Location end) {
  STRATA_ASSERT(begin <= end && end <= durable_end_);
  std::string stream;
  Location at = begin;
  while (at < end) {
    // The file whose pages hold `at`: its pages are contiguous in the stream.
    QueueFile* holder = nullptr;
    for (auto& file : files_) {
      if (file->pages > 0 && file->first_byte <= at && at < file->end_byte) holder = file.get();
    }
    if (holder == nullptr) {
      throw Error(ErrorCode::file_corrupt, "disk queue " + path_ + ": byte " + std::to_string(at) +
                                               " of the stream is in no file (popped meanwhile?)");
    }
    std::shared_ptr<File> file = holder->file;
    const std::vector<uint64_t>& starts = holder->page_first_bytes;
    size_t first = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), at) -
                                       starts.begin() - 1);
    const Location until = std::min<Location>(end, holder->end_byte);
    size_t last = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), until - 1) -
                                      starts.begin() - 1);
    std::vector<uint64_t> expected(starts.begin() + static_cast<std::ptrdiff_t>(first),
                                   starts.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    std::string pages = co_await file->read(static_cast<int64_t>(first * page_bytes),
                                            static_cast<int64_t>((last - first + 1) * page_bytes));
    for (size_t i = 0; i < expected.size(); ++i) {
      std::string_view page = i * page_bytes + page_bytes <= pages.size()
                                  ? std::string_view(pages).substr(i * page_bytes, page_bytes)
                                  : std::string_view();
      std::optional<PageHeader> header = page.empty() ? std::nullopt : PageHeader::decode(page);
      if (!header || header->first_byte != expected[i]) {
        throw Error(ErrorCode::file_corrupt,
                    "disk queue " + path_ + ": page " + std::to_string(first + i) +
                        " does not hold the stream bytes from " + std::to_string(expected[i]) +
                        " it held when written");
      }
      std::string_view payload = page.substr(PageHeader::bytes, header->payload_bytes);
      const Location page_begin = header->first_byte;
      const Location from = std::max(at, page_begin);
      const Location to = std::min(until, header->end_byte());
      if (from < to) stream.append(payload.substr(from - page_begin, to - from));
    }
    at = until;
  }
  co_return stream;
}

Future<std::vector<DiskQueue::Record>> DiskQueue::read(Location from, int64_t bytes_max) {
  if (failed_) throw *failed_;
  STRATA_ASSERT_MSG(from >= popped_, "reading a popped part of a disk queue");
  std::vector<Record> records;
  if (from >= durable_end_) co_return records;
  // At least the first record's header, which says how long it is.
  const Location end = std::min<Location>(
      durable_end_,
      from + static_cast<Location>(std::max<int64_t>(bytes_max, record_header_bytes)));
  std::string stream = co_await read_stream(from, end);
  Location location = from;
  std::string_view rest = stream;
  while (true) {
    if (rest.size() < record_header_bytes) break;
    auto length = BinaryReader(rest.substr(0, record_header_bytes)).read_integer<uint32_t>();
    if (rest.size() - record_header_bytes < length) {
      if (!records.empty()) break;
      // The first record is longer than the window: read it whole.
      if (location + record_header_bytes + length > durable_end_) {
        throw Error(ErrorCode::file_corrupt, "disk queue " + path_ + ": a record at " +
                                                 std::to_string(location) +
                                                 " runs past the durable end");
      }
      stream = co_await read_stream(location, location + record_header_bytes + length);
      rest = stream;
      continue;
    }
    records.push_back({location, std::string(rest.substr(record_header_bytes, length))});
    rest.remove_prefix(record_header_bytes + length);
    location += record_header_bytes + length;
  }
  co_return records;
}

}  // namespace strata
