#include "runtime/uid.h"

#include <cstdio>

namespace strata {

std::string UID::to_string() const {
  char text[33];
  std::snprintf(text, sizeof(text), "%016llx%016llx", static_cast<unsigned long long>(first_),
                static_cast<unsigned long long>(second_));
  return text;
}

std::string UID::short_string() const {
  return to_string().substr(0, 16);
}

}  // namespace strata
