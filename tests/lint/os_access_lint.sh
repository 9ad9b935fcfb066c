#!/usr/bin/env bash
# Reports code that uses the operating system directly instead of going through the
# Environment (src/runtime/environment.h). Only the real backend, src/runtime/real/, may
# touch clocks, threads, sockets, files or randomness itself: anywhere else such a use
# escapes the simulator, and a simulation run stops being reproducible from its seed.
#
# Usage: os_access_lint.sh DIR_OR_FILE...
#
# Scans the *.h and *.cpp files under each directory (and each file given), skipping any
# src/runtime/real/ directory, and prints one line per forbidden use:
#
#   path:line: kind: source text
#
# Exit status: 0 when nothing is found, 1 when something is, 2 on a usage error.
#
# Kinds (the patterns are in add_rules below): clock (clocks, timers, sleeping), thread
# (threads and their locks, processes, signals), socket (sockets and polling), file
# (files and directories), random (entropy and the standard library's generators).
# Printing to stdout and stderr (printf, fprintf(stderr, ...), std::cout, std::cerr) is
# allowed. A line may opt out of one kind with a trailing comment giving the reason:
#
#   auto start = std::chrono::steady_clock::now();  // lint: allows clock because ...
#
# An opt-out without a reason, naming an unknown kind, or on a line without a use of its
# kind is itself reported, as kind "opt-out".
#
# Limits, accepted to keep this a readable script rather than a C++ parser:
# - Comments and the contents of string and character literals are ignored (raw string
#   literals included), except that "/dev/urandom" and "/dev/random" are found inside
#   string literals, where they occur. Code hidden in macros defined elsewhere, or split
#   across lines (std::chrono::\n steady_clock), is not seen.
# - Names that are common as members or mean something else in std (open, read, write,
#   close, connect, bind, listen, send, recv, poll, select, stat, truncate, remove, sync,
#   access, random) count only when written ::name(; time and clock also as std::name(.
#   Other C library functions count when called unqualified, as ::name( or std::name(,
#   but not after . or -> (members), after another scope (Foo::name, Foo<T>::name), or
#   where the line looks like a declaration of a function of that name (a type right
#   before it). Most of them must also have arguments, which tells unlink(path) from a
#   member unlink().
# - One opt-out per line, for one kind.
set -euo pipefail

usage() {
  echo "usage: $0 DIR_OR_FILE..." >&2
  exit 2
}

(($# > 0)) || usage

# Collects the files to scan, as the caller named them, without the real backend.
files=()
for path in "$@"; do
  [[ $path == / ]] || path=${path%/}
  if [[ -d $path ]]; then
    absolute=$(cd "$path" && pwd -P)
    while IFS= read -r -d '' file; do
      files+=("$path${file#"$absolute"}")
    done < <(find "$absolute" -path '*/src/runtime/real' -prune -o -type f \
      \( -name '*.h' -o -name '*.cpp' \) -print0 | LC_ALL=C sort -z)
  elif [[ -f $path ]]; then
    absolute="$(cd "$(dirname "$path")" && pwd -P)/$(basename "$path")"
    [[ $absolute == */src/runtime/real/* ]] || files+=("$path")
  else
    echo "$0: no such file or directory: $path" >&2
    usage
  fi
done
((${#files[@]} > 0)) || exit 0

program=$(
  cat <<'AWK'
function add_kind(kind) {
  kinds[++kind_count] = kind
  is_kind[kind] = 1
}

# A regular expression matched against the code with comments and literals removed.
function code_rule(kind, pattern) {
  rule_kind[++rule_count] = kind
  rule_pattern[rule_count] = pattern
  rule_sees_literals[rule_count] = 0
}

# A regular expression matched against the code with string literals kept.
function literal_rule(kind, pattern) {
  code_rule(kind, pattern)
  rule_sees_literals[rule_count] = 1
}

function include_rule(kind, headers) {
  code_rule(kind, "^[ \t]*#[ \t]*include[ \t]*<(" headers ")>")
}

# Any of the names, as a whole identifier.
function name_rule(kind, names) {
  code_rule(kind, "(^|[^A-Za-z0-9_])(" names ")([^A-Za-z0-9_]|$)")
}

# Calls of C library functions. `needs_arguments`: only calls with arguments count.
# `qualification`: "any" (name(, ::name( or std::name(), "std" (only ::name( or
# std::name() or "global" (only ::name().
function call_rule(kind, names, needs_arguments, qualification,    count, i, list) {
  count = split(names, list, " ")
  for (i = 1; i <= count; i++) {
    call_kind[++call_count] = kind
    call_name[call_count] = list[i]
    call_needs_arguments[call_count] = needs_arguments
    call_qualification[call_count] = qualification
  }
}

function add_rules() {
  add_kind("clock")
  name_rule("clock", "system_clock|steady_clock|high_resolution_clock|utc_clock|tai_clock|gps_clock|file_clock")
  name_rule("clock", "__rdtsc|__rdtscp|__builtin_readcyclecounter|__builtin_ia32_rdtsc")
  name_rule("clock", "CLOCK_REALTIME|CLOCK_MONOTONIC|CLOCK_MONOTONIC_RAW|CLOCK_BOOTTIME|CLOCK_PROCESS_CPUTIME_ID|CLOCK_THREAD_CPUTIME_ID")
  include_rule("clock", "sys/time\\.h|sys/timeb\\.h|sys/timerfd\\.h")
  code_rule("clock", "(^|[^A-Za-z0-9_.>:])(::|std::)?time[ \t]*\\([ \t]*(nullptr|NULL|0|&)")
  call_rule("clock", "clock_gettime clock_getres gettimeofday timespec_get ftime localtime localtime_r sleep usleep nanosleep clock_nanosleep timerfd_create timerfd_settime", 1, "any")
  call_rule("clock", "time clock", 0, "std")

  add_kind("thread")
  code_rule("thread", "(^|[^A-Za-z0-9_])std::(thread|jthread|async|this_thread|mutex|recursive_mutex|timed_mutex|recursive_timed_mutex|shared_mutex|shared_timed_mutex|condition_variable|condition_variable_any|counting_semaphore|binary_semaphore|latch|barrier|future|shared_future|promise|packaged_task|stop_source|stop_token)([^A-Za-z0-9_]|$)")
  code_rule("thread", "(^|[^A-Za-z0-9_])pthread_[A-Za-z_]")
  include_rule("thread", "thread|mutex|shared_mutex|condition_variable|future|semaphore|latch|barrier|stop_token|pthread\\.h|csignal|signal\\.h|sys/signalfd\\.h|sys/wait\\.h|spawn\\.h")
  call_rule("thread", "fork vfork", 0, "any")
  call_rule("thread", "popen system execv execve execvp execvpe execl execle execlp posix_spawn posix_spawnp waitpid signal sigaction sigprocmask signalfd", 1, "any")
  call_rule("thread", "kill raise", 0, "global")

  add_kind("socket")
  name_rule("socket", "epoll_create|epoll_create1|epoll_ctl|epoll_wait|epoll_pwait|epoll_pwait2|epoll_event|epoll_data_t")
  code_rule("socket", "(^|[^A-Za-z0-9_])io_uring_[A-Za-z_]")
  include_rule("socket", "sys/socket\\.h|netinet/[A-Za-z0-9_/]+\\.h|arpa/inet\\.h|sys/epoll\\.h|netdb\\.h|sys/un\\.h|poll\\.h|sys/poll\\.h|sys/select\\.h|sys/eventfd\\.h|liburing\\.h|ifaddrs\\.h|net/if\\.h")
  call_rule("socket", "socket socketpair accept accept4 setsockopt getsockopt getaddrinfo getnameinfo gethostbyname getpeername getsockname sendto recvfrom sendmsg recvmsg eventfd", 1, "any")
  call_rule("socket", "connect bind listen send recv shutdown poll select", 0, "global")

  add_kind("file")
  name_rule("file", "(std::)?(basic_)?(ifstream|ofstream|fstream|filebuf)")
  code_rule("file", "(^|[^A-Za-z0-9_])std::(experimental::)?filesystem([^A-Za-z0-9_]|$)")
  include_rule("file", "filesystem|experimental/filesystem|fstream|fcntl\\.h|sys/stat\\.h|sys/mman\\.h|sys/file\\.h|sys/uio\\.h|dirent\\.h|unistd\\.h|libaio\\.h")
  call_rule("file", "fopen freopen fdopen mkstemp mkostemp openat creat pread pread64 preadv preadv2 pwrite pwrite64 pwritev pwritev2 fsync fdatasync syncfs sync_file_range opendir fdopendir readdir closedir unlink unlinkat rename renameat renameat2 mkdir mkdirat rmdir fstat lstat fstatat statx ftruncate lseek mmap munmap msync fallocate posix_fallocate posix_fadvise flock io_setup io_submit io_getevents realpath", 1, "any")
  call_rule("file", "tmpfile", 0, "any")
  call_rule("file", "open stat read write close truncate remove sync access", 0, "global")

  add_kind("random")
  name_rule("random", "(std::)?(random_device|mt19937|mt19937_64|minstd_rand|minstd_rand0|default_random_engine|ranlux24|ranlux48|ranlux24_base|ranlux48_base|knuth_b|mersenne_twister_engine|linear_congruential_engine|subtract_with_carry_engine|random_shuffle)")
  name_rule("random", "_rdrand16_step|_rdrand32_step|_rdrand64_step|_rdseed16_step|_rdseed32_step|_rdseed64_step")
  include_rule("random", "random|sys/random\\.h")
  literal_rule("random", "/dev/u?random")
  call_rule("random", "rand drand48 lrand48 mrand48 arc4random", 0, "any")
  call_rule("random", "rand_r srand srand48 srandom seed48 erand48 nrand48 jrand48 getrandom getentropy arc4random_uniform arc4random_buf RAND_bytes", 1, "any")
  call_rule("random", "random", 0, "global")

  # Words after which name( is a call and not a declaration of a function `name`.
  split("return co_return co_await co_yield throw else do case and or not", words, " ")
  for (i in words) call_keyword[words[i]] = 1
}

# Whether `text` calls the C library function `name` (see the limits in the header).
function has_call(text, name, needs_arguments, qualification,    pattern, rest, offset, before, word) {
  pattern = name "[ \t]*\\("
  if (needs_arguments) pattern = pattern "[ \t]*[^) \t]"
  rest = text
  offset = 0
  while (match(rest, pattern)) {
    before = substr(text, 1, offset + RSTART - 1)
    offset += RSTART - 1 + length(name)
    rest = substr(text, offset + 1)
    if (before ~ /[A-Za-z0-9_]$/) continue
    if (before ~ /(^|[^A-Za-z0-9_:>])::$/) return 1
    if (before ~ /(^|[^A-Za-z0-9_:>])(::)?std::$/) {
      if (qualification != "global") return 1
      continue
    }
    if (before ~ /::$/ || before ~ /(\.|->)[ \t]*$/ || qualification != "any") continue
    sub(/[ \t]+$/, "", before)
    if (match(before, /[A-Za-z_][A-Za-z0-9_]*$/)) {
      word = substr(before, RSTART)
      if (!(word in call_keyword)) continue
    }
    if (before ~ /[>*]$/ || (before ~ /&$/ && before !~ /&&$/)) continue
    return 1
  }
  return 0
}

# Splits `line` into `code` (comments removed, literals emptied), `literal_code`
# (comments removed) and `comment` (the text after //). Block comments and raw string
# literals may span lines: `in_block_comment` and `raw_string_end` carry over.
function split_line(line,    length_of_line, i, c, pair, j, delimiter_end) {
  code = ""
  literal_code = ""
  comment = ""
  if (!in_block_comment && raw_string_end == "" && line !~ /["'\/]/) {
    code = literal_code = line
    return
  }
  length_of_line = length(line)
  i = 1
  while (i <= length_of_line) {
    if (in_block_comment) {
      j = index(substr(line, i), "*/")
      if (j == 0) return
      in_block_comment = 0
      i += j + 1
      code = code " "
      literal_code = literal_code " "
      continue
    }
    if (raw_string_end != "") {
      j = index(substr(line, i), raw_string_end)
      if (j == 0) {
        literal_code = literal_code substr(line, i)
        return
      }
      literal_code = literal_code substr(line, i, j - 1 + length(raw_string_end))
      i += j - 1 + length(raw_string_end)
      raw_string_end = ""
      code = code "\"\""
      continue
    }
    c = substr(line, i, 1)
    pair = substr(line, i, 2)
    if (pair == "//") {
      comment = substr(line, i + 2)
      return
    }
    if (pair == "/*") {
      in_block_comment = 1
      i += 2
      continue
    }
    if (c == "\"" && code ~ /(^|[^A-Za-z0-9_])(u8|u|U|L)?R$/) {
      delimiter_end = index(substr(line, i + 1), "(")
      if (delimiter_end > 0) {
        raw_string_end = ")" substr(line, i + 1, delimiter_end - 1) "\""
        literal_code = literal_code substr(line, i, delimiter_end + 1)
        i += delimiter_end + 1
        continue
      }
    }
    if (c == "'" && code ~ /(^|[^A-Za-z0-9_.])[0-9][0-9A-Za-z_'.]*$/) {
      # A digit separator, as in 1'000'000.
      code = code c
      literal_code = literal_code c
      i++
      continue
    }
    if (c == "\"" || c == "'") {
      j = i + 1
      while (j <= length_of_line && substr(line, j, 1) != c) j += (substr(line, j, 1) == "\\") ? 2 : 1
      literal_code = literal_code substr(line, i, j - i + 1)
      code = code c c
      i = j + 1
      continue
    }
    code = code c
    literal_code = literal_code c
    i++
  }
}

function report(kind, text) {
  printf "%s:%d: %s: %s\n", FILENAME, FNR, kind, text
  reports++
}

BEGIN {
  add_rules()
}

FNR == 1 {
  in_block_comment = 0
  raw_string_end = ""
}

{
  split_line($0)
  for (k = 1; k <= kind_count; k++) found[kinds[k]] = 0
  for (r = 1; r <= rule_count; r++) {
    if (!found[rule_kind[r]] && (rule_sees_literals[r] ? literal_code : code) ~ rule_pattern[r]) {
      found[rule_kind[r]] = 1
    }
  }
  for (r = 1; r <= call_count; r++) {
    if (!found[call_kind[r]] && has_call(code, call_name[r], call_needs_arguments[r], call_qualification[r])) {
      found[call_kind[r]] = 1
    }
  }

  allowed = ""
  problem = ""
  if (match(comment, /lint:[ \t]*allows/)) {
    rest = substr(comment, RSTART + RLENGTH)
    named = ""
    if (match(rest, /^[ \t]+[A-Za-z_-]+/)) {
      named = substr(rest, RSTART, RLENGTH)
      gsub(/[ \t]/, "", named)
      rest = substr(rest, RSTART + RLENGTH)
    }
    if (!(named in is_kind)) {
      problem = "'lint: allows' must name one kind: clock, thread, socket, file or random"
    } else if (rest !~ /^[ \t]+because[ \t]+[^ \t]/) {
      problem = "'lint: allows " named "' needs a reason: 'lint: allows " named " because ...'"
    } else if (!found[named]) {
      problem = "'lint: allows " named "' on a line that does not use " named
    } else {
      allowed = named
    }
  }

  text = $0
  sub(/^[ \t]+/, "", text)
  for (k = 1; k <= kind_count; k++) {
    if (found[kinds[k]] && kinds[k] != allowed) report(kinds[k], text)
  }
  if (problem != "") report("opt-out", problem)
}

END {
  exit reports > 0 ? 1 : 0
}
AWK
)

status=0
awk "$program" "${files[@]}" || status=$?
if ((status == 1)); then
  echo "Use the Environment (src/runtime/environment.h) instead, or end the line with" \
    "'// lint: allows <kind> because <reason>'." >&2
fi
exit "$status"
