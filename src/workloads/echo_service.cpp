#include "workloads/echo_service.h"

#include "runtime/combinators.h"
#include "runtime/environment.h"

namespace strata {

namespace {

Future<Void> answer(EchoRequest request) {
  if (request.delay_s > 0) co_await delay(request.delay_s);
  request.reply.send(EchoReply{request.id, request.payload});
}

}  // namespace

Future<Void> serve_echo_requests() {
  auto stream = RequestStream<EchoRequest>::serve_well_known(well_known::test_echo);
  FutureStream<EchoRequest> requests = stream.requests();
  ActorCollection answers;
  while (true) {
    EchoRequest request = co_await requests;
    answers.add(answer(std::move(request)));
  }
}

Future<Void> echo_server_main() {
  Transport& transport = Transport::install(env().process().identity().address);
  transport.listen();
  co_await serve_echo_requests();
}

}  // namespace strata
