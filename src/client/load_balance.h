#pragma once

// Reads from a shard's team: any member holds the shard, so a read goes to one of them and
// moves on to another when that one fails or is slow. Members the failure monitor sees as
// failed are tried last; among the others, those on the client's own machine, then in its
// own zone, come first (the database's machine_id and datacenter_id options), each group in
// random order so that reads spread over the team. A read that has no answer after
// `load_balance_backup_delay_s` is also sent to the next member (reads are idempotent) and
// the first answer wins: a member that stopped without closing its connections (a paused
// process, a partition) costs that delay, not the transport's idle timeout. A member that
// lost such a race, had not applied the version yet or failed the request is tried after
// the others for
// `load_balance_penalty_s`: one that lags for long (catching up after a restart) would
// otherwise cost every read the backup delay, and a transaction of many reads its 5 s.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/client_knobs.h"
#include "interfaces/storage_interface.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"

namespace strata {

// Where the client runs, for preferring nearby members.
struct ClientLocality {
  std::string zone;
  std::string machine;
};

// The members a client's reads lately found slow or behind, and until when they are tried
// last. A client keeps one for all its reads.
class MemberPenalties {
 public:
  void penalize(const UID& member);
  bool penalized(const UID& member) const;

 private:
  std::map<UID, double> until_;
};

// The indexes of `team` in the order a read tries them.
std::vector<size_t> read_order(const std::vector<StorageInterface>& team,
                               const ClientLocality& here, const MemberPenalties& penalties);

// Whether another member of the team may answer what this error refused: the member failed
// or did not get the request (connection_failed, request_maybe_delivered, broken_promise),
// or has not applied the version yet (future_version). Any other error is the answer.
bool another_member_may_answer(const Error& error);

// Sends `request` through `stream` of the members of `team` as described above; `hedge`
// off sends to one member at a time (for long polls such as watches). Fails with the last
// member's error when every member failed.
template <class Request>
Future<ReplyType<Request>> load_balance(std::vector<StorageInterface> team,
                                        RequestStream<Request> StorageInterface::*stream,
                                        Request request, ClientLocality here, bool hedge,
                                        MemberPenalties* penalties) {
  using Reply = ReplyType<Request>;
  STRATA_ASSERT(!team.empty());
  const std::vector<size_t> order = read_order(team, here, *penalties);
  std::vector<Future<Reply>> pending;
  std::vector<size_t> pending_member;  // the index in `team` of each pending read
  size_t next = 0;
  std::optional<Error> last_failure;
  while (true) {
    if (pending.empty()) {
      if (next == order.size()) throw *last_failure;
      pending_member.push_back(order[next]);
      pending.push_back((team[order[next++]].*stream).get_reply(request));
    }
    std::vector<Waitable*> targets;
    for (const Future<Reply>& reply : pending)
      targets.push_back(reply.state());
    std::optional<Future<Void>> backup;
    if (hedge && next < order.size()) {
      backup = delay(client_knobs().load_balance_backup_delay_s);
      targets.push_back(backup->state());
    }
    co_await MultiWait(std::move(targets), MultiWait::Mode::any);
    for (size_t i = 0; i < pending.size();) {
      if (!pending[i].is_ready()) {
        ++i;
        continue;
      }
      if (!pending[i].is_error()) {
        // The members still working on it were slower than this one.
        for (size_t j = 0; j < pending.size(); ++j) {
          if (j != i && !pending[j].is_ready()) penalties->penalize(team[pending_member[j]].id);
        }
        co_return pending[i].get();
      }
      if (!another_member_may_answer(pending[i].error())) throw pending[i].error();
      last_failure = pending[i].error();
      // Behind the read version, gone (a removed server's endpoint), or unreachable: the
      // next reads try it last for a while.
      STRATA_PROBE(last_failure->is(ErrorCode::future_version),
                   "a member behind the read version is tried last for a while");
      penalties->penalize(team[pending_member[i]].id);
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
      pending_member.erase(pending_member.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (backup && backup->is_ready() && !pending.empty()) {
      STRATA_PROBE(true, "a slow read is sent to another member of the team");
      pending_member.push_back(order[next]);
      pending.push_back((team[order[next++]].*stream).get_reply(request));
    }
  }
}

}  // namespace strata
