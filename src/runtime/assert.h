#pragma once

// Programmer errors. These assertions stay on in every build: a broken invariant in a
// database must stop the process (with file and line) before it can write bad data.

namespace strata {

[[noreturn]] void assertion_failed(const char* condition, const char* file, int line,
                                   const char* message);

}  // namespace strata

#define STRATA_ASSERT(condition)                                           \
  do {                                                                     \
    if (!(condition)) [[unlikely]]                                         \
      ::strata::assertion_failed(#condition, __FILE__, __LINE__, nullptr); \
  } while (false)

#define STRATA_ASSERT_MSG(condition, message)                                \
  do {                                                                       \
    if (!(condition)) [[unlikely]]                                           \
      ::strata::assertion_failed(#condition, __FILE__, __LINE__, (message)); \
  } while (false)

#define STRATA_UNREACHABLE(message) \
  ::strata::assertion_failed("unreachable", __FILE__, __LINE__, (message))
