#pragma once

// The simulated network: connections between simulated processes that deliver bytes in
// order after a random latency, listeners, and the network faults: clogged links (one
// direction or a whole machine), broken connections, corrupted bytes. A partition is a
// long clog between two groups of machines.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/environment.h"
#include "runtime/stream.h"

namespace strata::sim {

class Simulator;
class SimProcess;
class SimNetwork;

class SimConnection final : public Connection, public std::enable_shared_from_this<SimConnection> {
 public:
  SimConnection(SimNetwork& network, SimProcess* owner, NetworkAddress local, NetworkAddress peer);

  void write(std::string_view bytes) override;
  Future<std::string> read() override;
  size_t unsent_bytes() const override { return 0; }
  void close() override;
  NetworkAddress peer_address() const override { return peer_address_; }
  UID debug_id() const override { return id_; }

  NetworkAddress local_address() const { return local_address_; }
  SimProcess* owner() const { return owner_; }
  bool is_broken() const { return failed_.has_value(); }

  // Joins two fresh ends into one connection.
  static void join(const std::shared_ptr<SimConnection>& a,
                   const std::shared_ptr<SimConnection>& b);
  // Breaks this end now and tells the other end, after the bytes already in flight.
  void break_connection(const std::string& reason);

 private:
  friend class SimNetwork;

  void deliver(std::string bytes);
  void fail(Error error);
  // Sends a chunk (or the end) to the other end, in order after what was sent before.
  void transmit(std::optional<std::string> chunk);

  SimNetwork& network_;
  SimProcess* owner_;
  NetworkAddress local_address_;
  NetworkAddress peer_address_;
  UID id_;
  std::weak_ptr<SimConnection> peer_;
  std::string received_;
  std::optional<Promise<std::string>> reader_;
  std::optional<Error> failed_;
  // Delivery time of the last chunk sent: later chunks never arrive before it.
  double last_delivery_ = 0;
};

class SimListener final : public Listener {
 public:
  SimListener(SimNetwork& network, SimProcess* owner, NetworkAddress address);
  ~SimListener() override;

  Future<std::shared_ptr<Connection>> accept() override;
  NetworkAddress address() const override { return address_; }
  SimProcess* owner() const { return owner_; }
  void push(std::shared_ptr<Connection> connection) { incoming_.send(std::move(connection)); }

 private:
  SimNetwork& network_;
  SimProcess* owner_;
  NetworkAddress address_;
  PromiseStream<std::shared_ptr<Connection>> incoming_;
  FutureStream<std::shared_ptr<Connection>> incoming_future_ = incoming_.get_future();
};

class SimNetwork {
 public:
  explicit SimNetwork(Simulator& simulator) : simulator_(simulator) {}

  Future<std::shared_ptr<Connection>> connect(NetworkAddress to);
  std::shared_ptr<Listener> listen(NetworkAddress address);

  // Traffic from `from_ip` to `to_ip` waits until `seconds` from now.
  void clog_link(uint32_t from_ip, uint32_t to_ip, double seconds);
  // All traffic to and from `ip` waits until `seconds` from now.
  void clog_machine(uint32_t ip, double seconds);
  // Clogs every link between the two groups, both ways.
  void partition(const std::vector<uint32_t>& group_a, const std::vector<uint32_t>& group_b,
                 double seconds);
  // When a chunk sent now from `from_ip` to `to_ip` arrives (latency plus clogs).
  double arrival_time(uint32_t from_ip, uint32_t to_ip);

  // Connections whose two ends are still up, oldest first.
  std::vector<std::shared_ptr<SimConnection>> live_connections();
  // Breaks every connection end owned by `process` (its peers see them break).
  void break_connections_of(SimProcess& process, const std::string& reason);

  Simulator& simulator() { return simulator_; }
  SimListener* find_listener(NetworkAddress address) const;
  void unregister_listener(NetworkAddress address, SimListener* listener);
  void track(const std::shared_ptr<SimConnection>& connection);

 private:
  friend class SimConnection;

  Simulator& simulator_;
  std::map<NetworkAddress, SimListener*> listeners_;
  std::map<std::pair<uint32_t, uint32_t>, double> link_clogged_until_;
  std::map<uint32_t, double> machine_clogged_until_;
  std::vector<std::weak_ptr<SimConnection>> connections_;
};

}  // namespace strata::sim
