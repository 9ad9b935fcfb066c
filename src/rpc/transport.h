#pragma once

// The transport of one process: its endpoints, its connections to other processes, and
// the delivery of messages between them.
//
// - Messages to a peer go over one connection at a time, framed and checksummed, in the
//   order they were sent (as long as that connection lasts). A process that listens is dialed at
//   its listen address (and redialed with backoff); one that does not (a client) is answered over
//   the connection it opened.
// - Every connection starts with a handshake that checks the protocol version and says
//   clearly when the two sides differ.
// - A request whose reply is awaited fails with connection_failed if it could not be
//   sent, request_maybe_delivered if the connection broke after it was sent,
//   broken_promise if the endpoint does not exist (any more) on the peer, or
//   incompatible_protocol_version. Connections with no traffic are pinged, and closed
//   when the peer stays silent, so no request waits forever on a dead peer.
// - Bytes that fail their checksum, and messages that do not decode, close the
//   connection: nothing corrupt is acted on.
//
// One Transport lives in each process's ProcessContext. Its methods run on the loop and
// never block; send() may complete a reply (with an error) before it returns.

#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "rpc/endpoint.h"
#include "rpc/failure_monitor.h"
#include "rpc/frame.h"
#include "rpc/message_receiver.h"
#include "rpc/pending_reply.h"
#include "rpc/protocol_version.h"
#include "rpc/serialize.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"

namespace strata {

struct TransportStats {
  uint64_t frames_sent = 0;
  uint64_t frames_received = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t connections_opened = 0;
  uint64_t connections_failed = 0;
  uint64_t corrupt_frames = 0;
};

class Transport : public std::enable_shared_from_this<Transport> {
 public:
  // Creates the transport of the current process (env().process()). An invalid
  // `listen_address` makes a client transport that never accepts connections.
  static Transport& install(NetworkAddress listen_address);
  // The current process's transport; asserts that one is installed.
  static Transport& current();

  explicit Transport(NetworkAddress listen_address);
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  ~Transport();

  // Starts accepting connections. Throws address_in_use or bind_failed. Listening on
  // port 0 takes a free port, which listen_address() reports afterwards; call it before
  // creating endpoints, which carry the listen address.
  void listen();
  NetworkAddress listen_address() const { return listen_address_; }

  // Registers a receiver under a fresh random token.
  Endpoint add_endpoint(MessageReceiver* receiver);
  // Registers a receiver under a token the caller chose (e.g. derived from a role's id, so
  // that the role keeps its endpoints when its process restarts).
  void add_endpoint_at(MessageReceiver* receiver, const UID& token);
  void remove_endpoint(const UID& token, const MessageReceiver* receiver);
  MessageReceiver* find_receiver(const UID& token) const;
  // Whether messages to `endpoint` may be handed over in this process without being
  // serialized: real processes only (the simulator always serializes, to test it).
  bool is_local(const Endpoint& endpoint) const;

  // Sends `message` to `to`. If `reply` is given, it is failed when the message cannot be
  // delivered or the connection that carried it breaks before the reply arrives.
  template <class T>
  void send(const Endpoint& to, const T& message, PendingReply* reply = nullptr) {
    send_frame(to, encode_frame(to.token, message), reply);
  }
  // Sends an answer back over the connection its request came on (`connection_id`, from
  // the request's MessageSource), or drops it if that connection is gone. The requester
  // watches that same connection, so a lost answer always fails its request: answering
  // over any other connection could lose it while the requester waits on a healthy one.
  template <class T>
  void send_reply(uint64_t connection_id, const Endpoint& to, const T& message) {
    send_on_connection(connection_id, encode_frame(to.token, message));
  }

  // The protocol version this transport announces (tests of mixed versions change it).
  void set_protocol_version(uint64_t version) { protocol_version_ = version; }

  FailureMonitor& failure_monitor() { return failure_monitor_; }
  const TransportStats& stats() const { return stats_; }

 private:
  struct Peer;
  struct ConnectionState;

  template <class T>
  static std::string encode_frame(const UID& token, const T& message) {
    std::string frame;
    size_t start = begin_frame(frame, token);
    BinaryWriter writer(frame, protocol_version_current);
    writer(message);
    finish_frame(frame, start);
    return frame;
  }
  void send_frame(const Endpoint& to, std::string frame, PendingReply* reply);
  void send_on_connection(uint64_t connection_id, std::string frame);
  Peer& peer_at(NetworkAddress address, bool connectable);
  void start_connecting(Peer& peer);
  void attach(ConnectionState& state, Peer& peer);
  void detach(ConnectionState& state, const Error& error);
  void dispatch(ConnectionState& state, const UID& token, std::string_view payload);
  void forget_peer_if_unused(Peer& peer);

  Future<Void> accept_loop(std::shared_ptr<Listener> listener);
  Future<Void> connect_loop(Peer* peer);
  Future<Void> serve_connection(std::shared_ptr<Connection> connection, Peer* dialed,
                                Promise<Void> established);
  Future<Void> read_frames(std::shared_ptr<ConnectionState> state, std::string leftover);
  Future<Void> monitor_connection(std::shared_ptr<ConnectionState> state);

  NetworkAddress listen_address_;
  uint64_t protocol_version_ = protocol_version_current;
  std::shared_ptr<Listener> listener_;
  std::unordered_map<UID, MessageReceiver*, UIDHash> receivers_;
  std::map<NetworkAddress, std::unique_ptr<Peer>> peers_;
  // Established connections by number, for answers that must go back the way they came.
  std::unordered_map<uint64_t, ConnectionState*> connections_;
  uint64_t next_connection_id_ = 1;
  FailureMonitor failure_monitor_;
  TransportStats stats_;
  // Declared last: destroyed first, so connection actors unwind while the maps exist.
  ActorCollection actors_;
};

}  // namespace strata
