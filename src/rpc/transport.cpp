#include "rpc/transport.h"

#include <algorithm>
#include <vector>

#include "rpc/handshake.h"
#include "rpc/rpc_knobs.h"
#include "runtime/buggify.h"
#include "runtime/trace.h"

namespace strata {

// A process this one talks to, keyed by its canonical address: where it listens, or, for
// a client that does not listen, the address its connection came from.
struct Transport::Peer {
  NetworkAddress address;
  // Whether this side may dial the peer (it listens at `address`).
  bool connectable = false;
  // The established connection messages go out on; null while there is none.
  ConnectionState* active = nullptr;
  std::vector<ConnectionState*> connections;
  // Frames waiting for a connection, and the replies they expect.
  std::string unsent;
  PendingReplyList unsent_replies;
  Future<Void> connector;
  double backoff_s = 0;
  double next_attempt_at = 0;
};

struct Transport::ConnectionState {
  std::shared_ptr<Connection> connection;
  uint64_t id = 0;
  Peer* peer = nullptr;
  // Replies to requests this connection carried.
  PendingReplyList replies;
  double last_received_at = 0;
};

namespace {

bool is_retryable_network_error(const Error& error) {
  return error.is(ErrorCode::connection_failed) || error.is(ErrorCode::timed_out) ||
         error.is(ErrorCode::connection_idle) || error.is(ErrorCode::incompatible_protocol_version);
}

}  // namespace

Transport& Transport::install(NetworkAddress listen_address) {
  auto transport = std::make_shared<Transport>(listen_address);
  Transport& installed = *transport;
  env().process().set_service(std::move(transport));
  return installed;
}

Transport& Transport::current() {
  return env().process().service<Transport>();
}

Transport::Transport(NetworkAddress listen_address) : listen_address_(listen_address) {}

Transport::~Transport() {
  // Connection actors first: they fail the replies their connections carried.
  actors_.clear();
  Error gone(ErrorCode::connection_failed, "the transport of this process shut down");
  for (auto& [address, peer] : peers_) {
    peer->connector.cancel();
    peer->unsent_replies.fail_all(gone);
  }
}

void Transport::listen() {
  STRATA_ASSERT_MSG(listen_address_.is_valid(), "a client transport cannot listen");
  listener_ = env().listen(listen_address_);
  // Port 0 asks the system for a free port: from now on this process is reached there.
  listen_address_ = listener_->address();
  TraceEvent("TransportListening").detail("Address", listen_address_);
  actors_.add(accept_loop(listener_));
}

Endpoint Transport::add_endpoint(MessageReceiver* receiver) {
  UID token = env().random().unique_id();
  while (is_well_known(token) || receivers_.count(token))
    token = env().random().unique_id();
  receivers_[token] = receiver;
  return Endpoint{listen_address_, token};
}

void Transport::add_endpoint_at(MessageReceiver* receiver, const UID& token) {
  STRATA_ASSERT(token.is_valid());
  STRATA_ASSERT_MSG(receivers_.emplace(token, receiver).second, "an endpoint token is taken twice");
}

void Transport::remove_endpoint(const UID& token, const MessageReceiver* receiver) {
  auto it = receivers_.find(token);
  if (it != receivers_.end() && it->second == receiver) receivers_.erase(it);
}

MessageReceiver* Transport::find_receiver(const UID& token) const {
  auto it = receivers_.find(token);
  return it == receivers_.end() ? nullptr : it->second;
}

bool Transport::is_local(const Endpoint& endpoint) const {
  return !env().is_simulated() && endpoint.address == listen_address_ && listen_address_.is_valid();
}

Transport::Peer& Transport::peer_at(NetworkAddress address, bool connectable) {
  std::unique_ptr<Peer>& slot = peers_[address];
  if (!slot) {
    slot = std::make_unique<Peer>();
    slot->address = address;
    slot->backoff_s = rpc_knobs().reconnect_backoff_initial_s;
  }
  slot->connectable = slot->connectable || connectable;
  return *slot;
}

void Transport::send_on_connection(uint64_t connection_id, std::string frame) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  ++stats_.frames_sent;
  stats_.bytes_sent += frame.size();
  it->second->connection->write(frame);
}

void Transport::send_frame(const Endpoint& to, std::string frame, PendingReply* reply) {
  ++stats_.frames_sent;
  stats_.bytes_sent += frame.size();
  auto existing = peers_.find(to.address);
  // Endpoints of processes that listen can be dialed; any other address is a client we
  // can only answer over the connection it opened.
  Peer& peer = existing != peers_.end() ? *existing->second : peer_at(to.address, true);
  if (peer.active) {
    peer.active->connection->write(frame);
    if (reply) peer.active->replies.push_back(reply);
    return;
  }
  if (!peer.connectable) {
    if (reply) {
      reply->fail(
          Error(ErrorCode::connection_failed, "no connection to " + to.address.to_string() +
                                                  " (a client that does not listen) any more"));
    }
    return;
  }
  if (static_cast<int64_t>(peer.unsent.size() + frame.size()) > rpc_knobs().peer_unsent_bytes_max) {
    TraceEvent(Severity::warn_always, "PeerQueueFull")
        .detail("Peer", to.address)
        .detail("UnsentBytes", peer.unsent.size());
    if (reply) {
      reply->fail(Error(
          ErrorCode::connection_failed,
          "too many bytes queued for " + to.address.to_string() + ", which is not connected"));
    }
    return;
  }
  peer.unsent += frame;
  if (reply) peer.unsent_replies.push_back(reply);
  start_connecting(peer);
}

void Transport::start_connecting(Peer& peer) {
  if (peer.connector.is_valid() && !peer.connector.is_ready()) return;
  peer.connector = connect_loop(&peer);
}

Future<Void> Transport::connect_loop(Peer* peer) {
  while (true) {
    if (now() < peer->next_attempt_at) co_await delay(peer->next_attempt_at - now());
    std::optional<Error> failure;
    bool refused = false;
    try {
      Future<std::shared_ptr<Connection>> connecting =
          timeout_error(env().connect(peer->address), rpc_knobs().connect_timeout_s);
      co_await first_ready(connecting);
      // Answered with a refusal rather than silence: nothing listens there any more.
      refused = connecting.is_error() && connecting.error().is(ErrorCode::connection_failed);
      std::shared_ptr<Connection> connection = co_await connecting;
      Promise<Void> established;
      Future<Void> handshake_done = established.get_future();
      actors_.add(serve_connection(std::move(connection), peer, std::move(established)));
      co_await handshake_done;
      peer->backoff_s = rpc_knobs().reconnect_backoff_initial_s;
      co_return;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (failure->is(ErrorCode::timed_out)) {
      failure = Error(ErrorCode::connection_failed,
                      "connecting to " + peer->address.to_string() + " timed out");
    }
    ++stats_.connections_failed;
    // Unless the peer connected to us meanwhile: then it is there.
    if (peer->connections.empty()) failure_monitor_.set_failed(peer->address, true, refused);
    TraceEvent(Severity::info, "ConnectFailed").detail("Peer", peer->address).error(*failure);
    // Nothing queued was sent: say so to whoever waits, and try again only when there is
    // something new to send.
    peer->unsent.clear();
    peer->unsent_replies.fail_all(*failure);
    double backoff = failure->is(ErrorCode::incompatible_protocol_version)
                         ? rpc_knobs().reconnect_backoff_max_s
                         : peer->backoff_s;
    peer->next_attempt_at = now() + backoff * env().random().uniform_real(0.5, 1.0);
    peer->backoff_s = std::min(peer->backoff_s * 2, rpc_knobs().reconnect_backoff_max_s);
    if (peer->unsent.empty()) co_return;
  }
}

Future<Void> Transport::accept_loop(std::shared_ptr<Listener> listener) {
  while (true) {
    std::shared_ptr<Connection> connection = co_await listener->accept();
    actors_.add(serve_connection(std::move(connection), nullptr, Promise<Void>()));
  }
}

namespace {

// Reads the peer's handshake; returns it with whatever bytes came after it.
Future<std::pair<Handshake, std::string>> read_handshake(std::shared_ptr<Connection> connection) {
  std::string received;
  while (true) {
    received += co_await connection->read();
    size_t consumed = 0;
    if (std::optional<Handshake> handshake = decode_handshake(received, consumed)) {
      co_return std::make_pair(*handshake, received.substr(consumed));
    }
  }
}

}  // namespace

Future<Void> Transport::serve_connection(std::shared_ptr<Connection> connection, Peer* dialed,
                                         Promise<Void> established) {
  // Shared with the reader and the monitor, which may still be on the stack when this
  // actor is cancelled.
  auto state = std::make_shared<ConnectionState>();
  state->connection = connection;
  state->last_received_at = now();
  std::optional<Error> failure;
  try {
    connection->write(encode_handshake(Handshake{protocol_version_, listen_address_, 0}));
    auto [theirs, leftover] =
        co_await timeout_error(read_handshake(connection), rpc_knobs().handshake_timeout_s);
    if (!protocol_versions_compatible(theirs.protocol_version, protocol_version_)) {
      TraceEvent(Severity::warn_always, "IncompatibleProtocolVersion")
          .detail("Peer", connection->peer_address())
          .detail("PeerProtocolVersion", protocol_version_string(theirs.protocol_version))
          .detail("LocalProtocolVersion", protocol_version_string(protocol_version_));
      throw Error(ErrorCode::incompatible_protocol_version,
                  connection->peer_address().to_string() + " speaks protocol version " +
                      protocol_version_string(theirs.protocol_version) +
                      " but this process speaks " + protocol_version_string(protocol_version_) +
                      "; run the same Strata release on both");
    }
    Peer& peer =
        dialed ? *dialed
               : (theirs.listen_address.is_valid() ? peer_at(theirs.listen_address, true)
                                                   : peer_at(connection->peer_address(), false));
    attach(*state, peer);
    ++stats_.connections_opened;
    if (established.is_valid()) established.send(Void{});
    Future<Void> monitor = monitor_connection(state);
    Future<Void> reader = read_frames(state, std::move(leftover));
    co_await first_ready(monitor, reader);
    if (monitor.is_error()) co_await monitor;
    co_await reader;
  } catch (Error& error) {
    if (error.is_cancellation()) {
      detach(*state, Error(ErrorCode::request_maybe_delivered,
                           "the connection to " + connection->peer_address().to_string() +
                               " was shut down"));
      throw;
    }
    failure = error;
  }
  if (failure->is(ErrorCode::timed_out)) {
    failure = Error(ErrorCode::connection_failed,
                    "no handshake from " + connection->peer_address().to_string() + " in time");
  }
  if (!is_retryable_network_error(*failure)) {
    TraceEvent(Severity::warn_always, "ConnectionError")
        .detail("Peer", connection->peer_address())
        .error(*failure);
  }
  TraceEvent("ConnectionClosed")
      .id(connection->debug_id())
      .detail("Peer", connection->peer_address())
      .error(*failure);
  detach(*state, failure->is(ErrorCode::incompatible_protocol_version)
                     ? *failure
                     : Error(ErrorCode::request_maybe_delivered,
                             "the connection to " + connection->peer_address().to_string() +
                                 " broke: " + failure->message()));
  if (established.is_valid() && !established.is_set()) established.send_error(*failure);
}

void Transport::attach(ConnectionState& state, Peer& peer) {
  state.peer = &peer;
  state.id = next_connection_id_++;
  connections_[state.id] = &state;
  peer.connections.push_back(&state);
  failure_monitor_.set_failed(peer.address, false);
  // The first connection established is the way out until it breaks, whichever side
  // opened it: switching while it works could reorder messages.
  if (peer.active == nullptr) peer.active = &state;
  if (peer.active == &state && !peer.unsent.empty()) {
    state.connection->write(peer.unsent);
    peer.unsent.clear();
    state.replies.splice(peer.unsent_replies);
  }
}

void Transport::detach(ConnectionState& state, const Error& error) {
  state.connection->close();
  Peer* peer = state.peer;
  state.peer = nullptr;
  connections_.erase(state.id);
  if (peer) {
    auto& list = peer->connections;
    list.erase(std::remove(list.begin(), list.end(), &state), list.end());
    if (peer->active == &state) peer->active = list.empty() ? nullptr : list.front();
    if (list.empty()) failure_monitor_.set_failed(peer->address, true);
  }
  state.replies.fail_all(error);
  if (peer) forget_peer_if_unused(*peer);
}

void Transport::forget_peer_if_unused(Peer& peer) {
  // Clients come and go on fresh addresses; do not keep a peer for each one forever.
  if (peer.connectable || !peer.connections.empty() || !peer.unsent_replies.empty()) return;
  peers_.erase(peer.address);
}

Future<Void> Transport::read_frames(std::shared_ptr<ConnectionState> state, std::string leftover) {
  FrameParser parser(static_cast<uint32_t>(rpc_knobs().frame_bytes_max));
  parser.append(leftover);
  while (true) {
    Frame frame;
    FrameParser::Status status;
    while ((status = parser.next(frame)) == FrameParser::Status::frame) {
      ++stats_.frames_received;
      dispatch(*state, frame.token, frame.payload);
      if (state->peer == nullptr) co_return;  // the connection was detached meanwhile
    }
    if (status == FrameParser::Status::corrupt) {
      ++stats_.corrupt_frames;
      TraceEvent(Severity::warn_always, "CorruptFrame")
          .detail("Peer", state->connection->peer_address())
          .detail("Problem", parser.problem());
      throw Error(ErrorCode::connection_failed, "corrupt bytes from " +
                                                    state->connection->peer_address().to_string() +
                                                    ": " + parser.problem());
    }
    std::string bytes = co_await state->connection->read();
    state->last_received_at = now();
    stats_.bytes_received += bytes.size();
    parser.append(bytes);
  }
}

void Transport::dispatch(ConnectionState& state, const UID& token, std::string_view payload) {
  if (token == well_known::ping) return;
  MessageSource source{this, state.peer->address, state.id};
  if (token == well_known::endpoint_not_found) {
    EndpointNotFound message = deserialize_from_bytes<EndpointNotFound>(payload);
    Error gone(ErrorCode::broken_promise,
               "the endpoint no longer exists on " + state.peer->address.to_string());
    state.replies.fail_matching(message.token, gone);
    return;
  }
  MessageReceiver* receiver = find_receiver(token);
  if (receiver == nullptr) {
    TraceEvent(Severity::debug, "EndpointNotFound")
        .detail("Token", token)
        .detail("Peer", source.address);
    send_reply(state.id, Endpoint{state.peer->address, well_known::endpoint_not_found},
               EndpointNotFound{token});
    return;
  }
  BinaryReader reader(payload, protocol_version_current, source);
  try {
    receiver->receive(reader);
  } catch (Error& error) {
    if (!error.is(ErrorCode::serialization_failed)) throw;
    TraceEvent(Severity::warn_always, "MessageDecodeFailed")
        .detail("Peer", source.address)
        .detail("Token", token)
        .error(error);
    throw Error(ErrorCode::connection_failed,
                "a message from " + source.address.to_string() +
                    " did not decode: " + std::string(error.detail()));
  }
}

Future<Void> Transport::monitor_connection(std::shared_ptr<ConnectionState> state) {
  while (true) {
    co_await delay(rpc_knobs().connection_ping_interval_s);
    if (now() - state->last_received_at > rpc_knobs().connection_idle_timeout_s) {
      throw Error(ErrorCode::connection_failed,
                  "nothing heard from " + state->connection->peer_address().to_string() + " for " +
                      std::to_string(rpc_knobs().connection_idle_timeout_s) + " s");
    }
    std::string frame;
    size_t start = begin_frame(frame, well_known::ping);
    finish_frame(frame, start);
    state->connection->write(frame);
  }
}

}  // namespace strata
