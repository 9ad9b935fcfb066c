#include "runtime/sim/sim_network.h"

#include <algorithm>

#include "runtime/buggify.h"
#include "runtime/sim/sim_knobs.h"
#include "runtime/sim/simulator.h"

namespace strata::sim {

SimConnection::SimConnection(SimNetwork& network, SimProcess* owner, NetworkAddress local,
                             NetworkAddress peer)
    : network_(network),
      owner_(owner),
      local_address_(local),
      peer_address_(peer),
      id_(network.simulator().random().unique_id()) {}

void SimConnection::write(std::string_view bytes) {
  if (failed_ || bytes.empty()) return;
  // Split the bytes into pieces now and then, so readers must cope with any framing.
  if (BUGGIFY && bytes.size() > 1) {
    size_t cut = static_cast<size_t>(
        network_.simulator().random().uniform(1, static_cast<int64_t>(bytes.size())));
    transmit(std::string(bytes.substr(0, cut)));
    transmit(std::string(bytes.substr(cut)));
    return;
  }
  transmit(std::string(bytes));
}

void SimConnection::transmit(std::optional<std::string> chunk) {
  Simulator& simulator = network_.simulator();
  std::shared_ptr<SimConnection> peer = peer_.lock();
  if (!peer) return;
  double arrival =
      std::max(network_.arrival_time(local_address_.ip(), peer_address_.ip()), last_delivery_);
  last_delivery_ = arrival;
  if (chunk && simulator.random().chance(sim_knobs().sim_corrupt_chunk_probability)) {
    size_t at =
        static_cast<size_t>(simulator.random().uniform(0, static_cast<int64_t>(chunk->size())));
    (*chunk)[at] = static_cast<char>((*chunk)[at] ^ (1 << simulator.random().uniform(0, 8)));
    TraceEvent(Severity::info, "SimCorruptedChunk").id(id_).detail("Offset", at);
  }
  std::weak_ptr<SimConnection> target = peer;
  simulator.schedule(
      peer->owner_, arrival - simulator.now(), [target, chunk = std::move(chunk)]() mutable {
        std::shared_ptr<SimConnection> receiver = target.lock();
        if (!receiver) return;
        if (chunk) {
          receiver->deliver(std::move(*chunk));
        } else {
          receiver->fail(Error(ErrorCode::connection_failed,
                               receiver->peer_address_.to_string() + " closed the connection"));
        }
      });
}

void SimConnection::deliver(std::string bytes) {
  if (failed_) return;
  if (reader_) {
    Promise<std::string> reader = std::move(*reader_);
    reader_.reset();
    reader.send(std::move(bytes));
    return;
  }
  received_ += bytes;
}

Future<std::string> SimConnection::read() {
  STRATA_ASSERT_MSG(!reader_, "two reads at once on one connection");
  if (!received_.empty()) return std::exchange(received_, std::string());
  if (failed_) return *failed_;
  reader_.emplace();
  return reader_->get_future();
}

void SimConnection::fail(Error error) {
  if (failed_) return;
  failed_ = error;
  received_.clear();
  if (!reader_) return;
  Promise<std::string> reader = std::move(*reader_);
  reader_.reset();
  // Broken from outside (the network's faults, a workload), the reader still resumes in
  // its own process, where its files, clock and death are, not in the breaker's.
  ScopedProcess in_owner(network_.simulator(), owner_);
  reader.send_error(std::move(error));
}

void SimConnection::break_connection(const std::string& reason) {
  if (failed_) return;
  transmit(std::nullopt);  // the other end hears of it after the bytes in flight
  fail(Error(ErrorCode::connection_failed, reason));
}

void SimConnection::join(const std::shared_ptr<SimConnection>& a,
                         const std::shared_ptr<SimConnection>& b) {
  a->peer_ = b;
  b->peer_ = a;
}

void SimConnection::close() {
  break_connection("connection to " + peer_address_.to_string() + " closed");
}

SimListener::SimListener(SimNetwork& network, SimProcess* owner, NetworkAddress address)
    : network_(network), owner_(owner), address_(address) {}

SimListener::~SimListener() {
  network_.unregister_listener(address_, this);
}

namespace {

Future<std::shared_ptr<Connection>> next_connection(
    FutureStream<std::shared_ptr<Connection>> incoming) {
  co_return co_await incoming;
}

}  // namespace

Future<std::shared_ptr<Connection>> SimListener::accept() {
  return next_connection(incoming_future_);
}

std::shared_ptr<Listener> SimNetwork::listen(NetworkAddress address) {
  SimProcess* owner = simulator_.current_process();
  STRATA_ASSERT_MSG(owner != nullptr, "only a simulated process can listen");
  if (address.ip() != owner->machine->ip) {
    throw Error(ErrorCode::bind_failed, "cannot listen on " + address.to_string() +
                                            ": not an address of machine " + owner->machine->id);
  }
  auto [it, inserted] = listeners_.emplace(address, nullptr);
  if (!inserted) {
    throw Error(ErrorCode::address_in_use,
                "cannot listen on " + address.to_string() + ": the address is in use");
  }
  auto listener = std::make_shared<SimListener>(*this, owner, address);
  it->second = listener.get();
  return listener;
}

SimListener* SimNetwork::find_listener(NetworkAddress address) const {
  auto it = listeners_.find(address);
  return it == listeners_.end() ? nullptr : it->second;
}

void SimNetwork::unregister_listener(NetworkAddress address, SimListener* listener) {
  auto it = listeners_.find(address);
  if (it != listeners_.end() && it->second == listener) listeners_.erase(it);
}

void SimNetwork::track(const std::shared_ptr<SimConnection>& connection) {
  connections_.push_back(connection);
  connection->owner_->connections_.push_back(connection);
}

namespace {

Future<std::shared_ptr<Connection>> connect_actor(SimNetwork& network, SimProcess* from,
                                                  NetworkAddress to) {
  Simulator& simulator = network.simulator();
  uint32_t from_ip = from->machine->ip;
  co_await delay(network.arrival_time(from_ip, to.ip()) - simulator.now());
  SimListener* listener = network.find_listener(to);
  if (listener == nullptr || !listener->owner()->is_alive()) {
    co_await delay(network.arrival_time(to.ip(), from_ip) - simulator.now());
    throw Error(ErrorCode::connection_failed,
                "connecting to " + to.to_string() + ": connection refused");
  }
  NetworkAddress local(from_ip, from->machine->next_ephemeral_port++);
  auto client = std::make_shared<SimConnection>(network, from, local, to);
  auto server = std::make_shared<SimConnection>(network, listener->owner(), to, local);
  SimConnection::join(client, server);
  network.track(client);
  network.track(server);
  {
    ScopedProcess in_server(simulator, listener->owner());
    listener->push(server);
  }
  // The answer travels back before the client may use the connection.
  co_await delay(network.arrival_time(to.ip(), from_ip) - simulator.now());
  co_return client;
}

}  // namespace

Future<std::shared_ptr<Connection>> SimNetwork::connect(NetworkAddress to) {
  SimProcess* from = simulator_.current_process();
  STRATA_ASSERT_MSG(from != nullptr, "only a simulated process can connect");
  return connect_actor(*this, from, to);
}

void SimNetwork::clog_link(uint32_t from_ip, uint32_t to_ip, double seconds) {
  double& until = link_clogged_until_[{from_ip, to_ip}];
  until = std::max(until, simulator_.now() + seconds);
}

void SimNetwork::clog_machine(uint32_t ip, double seconds) {
  double& until = machine_clogged_until_[ip];
  until = std::max(until, simulator_.now() + seconds);
}

void SimNetwork::partition(const std::vector<uint32_t>& group_a,
                           const std::vector<uint32_t>& group_b, double seconds) {
  for (uint32_t a : group_a) {
    for (uint32_t b : group_b) {
      clog_link(a, b, seconds);
      clog_link(b, a, seconds);
    }
  }
}

double SimNetwork::arrival_time(uint32_t from_ip, uint32_t to_ip) {
  Random& random = simulator_.random();
  const SimKnobs& knobs = sim_knobs();
  double latency = knobs.sim_network_latency_min_s;
  if (from_ip != to_ip) latency += random.exponential(knobs.sim_network_latency_mean_s);
  if (random.chance(knobs.sim_network_latency_spike_probability)) {
    latency += random.uniform_real(0, knobs.sim_network_latency_spike_s);
  }
  double departure = simulator_.now();
  auto lookup = [](const auto& clogs, const auto& key) {
    auto it = clogs.find(key);
    return it == clogs.end() ? 0.0 : it->second;
  };
  departure = std::max(departure, lookup(link_clogged_until_, std::make_pair(from_ip, to_ip)));
  departure = std::max(departure, lookup(machine_clogged_until_, from_ip));
  departure = std::max(departure, lookup(machine_clogged_until_, to_ip));
  return departure + latency;
}

std::vector<std::shared_ptr<SimConnection>> SimNetwork::live_connections() {
  std::vector<std::shared_ptr<SimConnection>> live;
  std::vector<std::weak_ptr<SimConnection>> kept;
  for (const auto& weak : connections_) {
    std::shared_ptr<SimConnection> connection = weak.lock();
    if (!connection || connection->is_broken()) continue;
    kept.push_back(weak);
    std::shared_ptr<SimConnection> peer = connection->peer_.lock();
    if (peer && !peer->is_broken()) live.push_back(std::move(connection));
  }
  connections_.swap(kept);
  return live;
}

void SimNetwork::break_connections_of(SimProcess& process, const std::string& reason) {
  for (const auto& weak : process.connections_) {
    if (std::shared_ptr<SimConnection> connection = weak.lock()) {
      connection->break_connection(reason);
    }
  }
  process.connections_.clear();
}

}  // namespace strata::sim
