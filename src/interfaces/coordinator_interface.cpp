#include "interfaces/coordinator_interface.h"

namespace strata {

CoordinatorInterface CoordinatorInterface::at(NetworkAddress address) {
  CoordinatorInterface interface;
  interface.read =
      RequestStream<GenerationReadRequest>(Endpoint{address, well_known::coordinator_read});
  interface.write =
      RequestStream<GenerationWriteRequest>(Endpoint{address, well_known::coordinator_write});
  interface.candidacy =
      RequestStream<CandidacyRequest>(Endpoint{address, well_known::coordinator_candidacy});
  interface.heartbeat =
      RequestStream<LeaderHeartbeatRequest>(Endpoint{address, well_known::coordinator_heartbeat});
  interface.get_leader =
      RequestStream<GetLeaderRequest>(Endpoint{address, well_known::coordinator_get_leader});
  interface.forward =
      RequestStream<ForwardRequest>(Endpoint{address, well_known::coordinator_forward});
  return interface;
}

CoordinatorInterface CoordinatorInterface::serve() {
  CoordinatorInterface interface;
  interface.read =
      RequestStream<GenerationReadRequest>::serve_well_known(well_known::coordinator_read);
  interface.write =
      RequestStream<GenerationWriteRequest>::serve_well_known(well_known::coordinator_write);
  interface.candidacy =
      RequestStream<CandidacyRequest>::serve_well_known(well_known::coordinator_candidacy);
  interface.heartbeat =
      RequestStream<LeaderHeartbeatRequest>::serve_well_known(well_known::coordinator_heartbeat);
  interface.get_leader =
      RequestStream<GetLeaderRequest>::serve_well_known(well_known::coordinator_get_leader);
  interface.forward =
      RequestStream<ForwardRequest>::serve_well_known(well_known::coordinator_forward);
  return interface;
}

}  // namespace strata
