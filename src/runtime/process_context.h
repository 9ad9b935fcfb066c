#pragma once

// Who the running code is: the identity of its process and the per-process singletons of
// higher layers (the RPC transport, a server's roles). In simulation many processes share
// one thread, so anything that would be a global in a real process lives here instead.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/assert.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {

struct ProcessIdentity {
  // Where the process listens; invalid for a client that does not listen.
  NetworkAddress address;
  std::string machine_id;
  std::string zone_id;
  // The folder that holds the process's files.
  std::string data_dir;
};

class ProcessContext {
 public:
  explicit ProcessContext(ProcessIdentity identity) : identity_(std::move(identity)) {}
  ProcessContext(const ProcessContext&) = delete;
  ProcessContext& operator=(const ProcessContext&) = delete;
  ~ProcessContext() { clear_services(); }

  const ProcessIdentity& identity() const { return identity_; }
  void set_address(NetworkAddress address) { identity_.address = address; }

  template <class T>
  T* find_service() const {
    for (const auto& [key, service] : services_) {
      if (key == &service_key<T>) return static_cast<T*>(service.get());
    }
    return nullptr;
  }
  template <class T>
  T& service() const {
    T* found = find_service<T>();
    STRATA_ASSERT_MSG(found != nullptr, "a per-process service is missing");
    return *found;
  }
  template <class T>
  void set_service(std::shared_ptr<T> service) {
    STRATA_ASSERT(find_service<T>() == nullptr);
    services_.emplace_back(&service_key<T>, std::move(service));
  }
  // Destroys the services, newest first (later layers depend on earlier ones).
  void clear_services() {
    while (!services_.empty()) {
      std::shared_ptr<void> last = std::move(services_.back().second);
      services_.pop_back();
      last.reset();
    }
  }

 private:
  template <class T>
  static inline const char service_key = 0;

  ProcessIdentity identity_;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> services_;
};

}  // namespace strata
