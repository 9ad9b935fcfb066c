#pragma once

// Typed request/reply and one-way streams over the transport.
//
// A request type carries its reply promise as a member named `reply`:
//
//   struct EchoRequest {
//     std::string text;
//     ReplyPromise<std::string> reply;
//     template <class Archive> void serialize(Archive& archive) { archive(text, reply); }
//   };
//
// The server creates RequestStream<EchoRequest>::serve() and reads requests from
// requests(); it answers with request.reply.send(...) or send_error(...), and a reply
// promise dropped unanswered answers broken_promise. A client holding the stream (or
// one received in a message) calls get_reply(request), which completes with the reply
// or with the transport's errors (see transport.h). In a real process, a request to an
// endpoint of the same process is handed over without serialization; the simulator
// always serializes.

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "rpc/endpoint.h"
#include "rpc/message_receiver.h"
#include "rpc/pending_reply.h"
#include "rpc/rpc_knobs.h"
#include "rpc/serialize.h"
#include "rpc/transport.h"
#include "runtime/future.h"
#include "runtime/stream.h"
#include "runtime/trace.h"

namespace strata {

// A reply on the wire: the value or the error.
template <class T>
struct ReplyMessage {
  std::optional<T> value;
  Error error{ErrorCode::success};

  template <class Archive>
  void serialize(Archive& archive) {
    bool ok = value.has_value();
    archive(ok);
    if (ok) {
      if (!value) value.emplace();
      archive(*value);
    } else {
      archive(error);
    }
  }
};

template <class T>
class ReplyPromise {
 public:
  using ValueType = T;

  ReplyPromise() = default;

  // Answering a request that came one-way (nobody waits) does nothing.
  void send(T value) const {
    if (!state_) return;
    STRATA_ASSERT_MSG(!state_->answered, "a reply was sent twice");
    state_->answer(ReplyMessage<T>{std::move(value), Error(ErrorCode::success)});
  }
  void send_error(Error error) const {
    if (!state_) return;
    STRATA_ASSERT_MSG(!state_->answered, "a reply was sent twice");
    state_->answer(ReplyMessage<T>{std::nullopt, std::move(error)});
  }
  bool is_valid() const { return state_ != nullptr; }
  bool is_answered() const { return state_ && state_->answered; }

  // The requester's side: a promise in this process.
  static ReplyPromise local(Promise<T> promise) {
    ReplyPromise reply;
    reply.state_ = std::make_shared<State>();
    reply.state_->local = std::move(promise);
    return reply;
  }
  // The requester's side: the token its reply receiver listens on.
  static ReplyPromise remote_token(UID token) {
    ReplyPromise reply;
    reply.token_ = token;
    return reply;
  }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(token_);
    if constexpr (!Archive::is_writer) {
      const MessageSource& source = archive.source();
      state_ = std::make_shared<State>();
      state_->destination = Endpoint{source.address, token_};
      state_->connection_id = source.connection_id;
      if (source.transport) state_->transport = source.transport->weak_from_this();
    }
  }

 private:
  // Shared by copies of the request: the first answer wins, and if every copy is dropped
  // unanswered the requester hears broken_promise.
  struct State {
    std::optional<Promise<T>> local;
    Endpoint destination;
    // The connection the request came on: the answer goes back on it (see send_reply).
    uint64_t connection_id = 0;
    std::weak_ptr<Transport> transport;
    bool answered = false;

    void answer(ReplyMessage<T> message) {
      answered = true;
      if (local) {
        if (message.value) {
          local->send(std::move(*message.value));
        } else {
          local->send_error(std::move(message.error));
        }
      } else if (!destination.is_valid()) {
        // The request came one-way: nobody waits for an answer.
      } else if (std::shared_ptr<Transport> live = transport.lock()) {
        live->send_reply(connection_id, destination, message);
      }
    }
    ~State() {
      if (!answered && (local || destination.is_valid())) {
        answer(ReplyMessage<T>{std::nullopt, Error(ErrorCode::broken_promise)});
      }
    }
  };

  std::shared_ptr<State> state_;
  UID token_;
};

template <class Request>
using ReplyType = typename decltype(std::declval<Request>().reply)::ValueType;

template <class Request>
concept HasReply = requires(Request request) {
  request.reply;
};

// Receives the requests of one endpoint into a stream.
template <class Request>
class RequestQueue final : public MessageReceiver {
 public:
  RequestQueue(Transport& transport, std::optional<UID> token)
      : transport_(transport.weak_from_this()) {
    if (token) {
      transport.add_endpoint_at(this, *token);
      endpoint_ = Endpoint{transport.listen_address(), *token};
    } else {
      endpoint_ = transport.add_endpoint(this);
    }
  }
  RequestQueue(const RequestQueue&) = delete;
  RequestQueue& operator=(const RequestQueue&) = delete;
  ~RequestQueue() override {
    if (std::shared_ptr<Transport> transport = transport_.lock()) {
      transport->remove_endpoint(endpoint_.token, this);
    }
  }

  void receive(BinaryReader& reader) override {
    Request request;
    reader(request);
    reader.expect_end();
    push(std::move(request));
  }
  const void* type_tag() const override { return type_tag_of<Request>(); }

  // Queues a request; past the bound, requests are refused with server_request_queue_full.
  void push(Request&& request) {
    if (static_cast<int>(stream_.size()) >= rpc_knobs().endpoint_queue_requests_max) {
      TraceEvent(Severity::warn_always, "EndpointQueueFull").detail("Token", endpoint_.token);
      if constexpr (HasReply<Request>) {
        request.reply.send_error(
            Error(ErrorCode::server_request_queue_full, "the server has too many requests queued"));
      }
      return;
    }
    stream_.send(std::move(request));
  }

  const Endpoint& endpoint() const { return endpoint_; }
  FutureStream<Request> requests() const { return stream_.get_future(); }

 private:
  std::weak_ptr<Transport> transport_;
  Endpoint endpoint_;
  PromiseStream<Request> stream_;
};

// Waits for one reply on behalf of get_reply(). It lives from the send until the reply,
// the failure of the connection that carried the request, or the caller dropping its
// future, whichever comes first; at any moment it is on exactly one pending list.
template <class T>
class ReplyReceiver final : public MessageReceiver, public PendingReply, public Canceller {
 public:
  ReplyReceiver(Transport& transport, const UID& destination_token)
      : transport_(transport), destination_token_(destination_token) {
    token_ = transport_.add_endpoint(this).token;
    promise_.set_canceller(this);
  }

  Future<T> future() const { return promise_.get_future(); }
  const UID& token() const { return token_; }

  void receive(BinaryReader& reader) override {
    ReplyMessage<T> message;
    reader(message);
    reader.expect_end();
    if (message.value) {
      finish(std::move(*message.value));
    } else {
      finish(std::move(message.error));
    }
  }
  const void* type_tag() const override { return type_tag_of<ReplyMessage<T>>(); }
  void fail(Error error) override { finish(std::move(error)); }
  const UID& destination_token() const override { return destination_token_; }
  // The caller dropped its future: stop listening.
  void cancel() override {
    promise_.set_canceller(nullptr);
    delete this;
  }

 private:
  ~ReplyReceiver() override { transport_.remove_endpoint(token_, this); }

  template <class Outcome>
  void finish(Outcome outcome) {
    // Delete first: completing the promise runs the caller's code, which may do anything.
    Promise<T> promise = std::move(promise_);
    promise.set_canceller(nullptr);
    delete this;
    if constexpr (std::is_same_v<Outcome, Error>) {
      promise.send_error(std::move(outcome));
    } else {
      promise.send(std::move(outcome));
    }
  }

  Transport& transport_;
  UID destination_token_;
  UID token_;
  Promise<T> promise_;
};

// Runs `work` (the handling of one request) and, if it fails, answers `reply` with its
// error: a handler that throws still answers its requester, with the reason.
template <class Reply>
Future<Void> answering_errors(Future<Void> work, ReplyPromise<Reply> reply) {
  try {
    co_await work;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    if (!reply.is_answered()) reply.send_error(error);
  }
}

template <class Request>
class RequestStream {
 public:
  RequestStream() = default;
  explicit RequestStream(Endpoint endpoint) : endpoint_(endpoint) {}

  // A stream this process serves, under a fresh token.
  static RequestStream serve() { return RequestStream(std::nullopt); }
  // A stream this process serves under a well-known token.
  static RequestStream serve_well_known(const UID& token) {
    STRATA_ASSERT(is_well_known(token));
    return RequestStream(token);
  }
  // A stream this process serves under a token the caller chose: the same token after a
  // restart means the same endpoint, so peers' references stay good.
  static RequestStream serve_at(const UID& token) { return RequestStream(token); }

  const Endpoint& endpoint() const { return endpoint_; }
  bool is_valid() const { return endpoint_.is_valid(); }
  // The requests arriving at a stream this process serves.
  FutureStream<Request> requests() const {
    STRATA_ASSERT_MSG(queue_ != nullptr, "requests() on a stream this process does not serve");
    return queue_->requests();
  }

  // One-way: no reply, no delivery guarantee.
  void send(Request request) const {
    if (RequestQueue<Request>* queue = local_queue()) {
      queue->push(std::move(request));
      return;
    }
    Transport::current().send(endpoint_, request);
  }

  template <class R = Request>
  requires HasReply<R> Future<ReplyType<R>> get_reply(R request)
  const {
    using Reply = ReplyType<R>;
    if (RequestQueue<Request>* queue = local_queue()) {
      Promise<Reply> promise;
      request.reply = ReplyPromise<Reply>::local(promise);
      queue->push(std::move(request));
      return promise.get_future();
    }
    Transport& transport = Transport::current();
    if (transport.is_local(endpoint_)) {
      return Error(ErrorCode::broken_promise, "no such endpoint in this process");
    }
    auto* receiver = new ReplyReceiver<Reply>(transport, endpoint_.token);
    Future<Reply> reply = receiver->future();  // before send(), which may complete it
    request.reply = ReplyPromise<Reply>::remote_token(receiver->token());
    transport.send(endpoint_, request, receiver);
    return reply;
  }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(endpoint_);
    // A process that does not listen can be reached only over the connection it used.
    if constexpr (!Archive::is_writer) {
      if (!endpoint_.address.is_valid()) endpoint_.address = archive.source().address;
    }
  }

 private:
  explicit RequestStream(std::optional<UID> well_known_token)
      : queue_(std::make_shared<RequestQueue<Request>>(Transport::current(), well_known_token)),
        endpoint_(queue_->endpoint()) {}

  // The queue behind this endpoint when it is in this process and may be used directly.
  RequestQueue<Request>* local_queue() const {
    if (env().is_simulated()) return nullptr;
    if (queue_) return queue_.get();
    Transport& transport = Transport::current();
    if (!transport.is_local(endpoint_)) return nullptr;
    MessageReceiver* receiver = transport.find_receiver(endpoint_.token);
    if (receiver == nullptr || receiver->type_tag() != type_tag_of<Request>()) return nullptr;
    return static_cast<RequestQueue<Request>*>(receiver);
  }

  std::shared_ptr<RequestQueue<Request>> queue_;
  Endpoint endpoint_;
};

}  // namespace strata
