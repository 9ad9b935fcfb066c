#include "server/cluster_controller/cluster_status.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/json_validate.h"

namespace strata {
namespace {

// A JSON tree, just enough to look fields up in the documents of these tests (our own
// text, so the parser recurses and fails the test on anything unexpected).
struct Json {
  struct Member;
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool flag = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::vector<Member> members;

  bool has(std::string_view name) const;
  const Json& operator[](std::string_view name) const;
};

struct Json::Member {
  std::string name;
  Json value;
};

bool Json::has(std::string_view name) const {
  for (const Member& member : members) {
    if (member.name == name) return true;
  }
  return false;
}

const Json& Json::operator[](std::string_view name) const {
  for (const Member& member : members) {
    if (member.name == name) return member.value;
  }
  ADD_FAILURE() << "no member " << name;
  static const Json missing;
  return missing;
}

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  Json parse_document() {
    Json value = parse();
    skip_space();
    EXPECT_EQ(position_, text_.size()) << "text after the document";
    return value;
  }

 private:
  void skip_space() {
    while (position_ < text_.size() &&
           std::string_view(" \t\r\n").find(text_[position_]) != std::string_view::npos)
      ++position_;
  }
  bool take(char c) {
    skip_space();
    if (position_ < text_.size() && text_[position_] == c) {
      ++position_;
      return true;
    }
    return false;
  }
  Json parse() {
    Json value;
    skip_space();
    if (take('{')) {
      value.kind = Json::Kind::object;
      if (take('}')) return value;
      do {
        std::string name = parse_string();
        EXPECT_TRUE(take(':'));
        value.members.push_back(Json::Member{name, parse()});
      } while (take(','));
      EXPECT_TRUE(take('}'));
    } else if (take('[')) {
      value.kind = Json::Kind::array;
      if (take(']')) return value;
      do {
        value.items.push_back(parse());
      } while (take(','));
      EXPECT_TRUE(take(']'));
    } else if (text_.substr(position_, 1) == "\"") {
      value.kind = Json::Kind::string;
      value.text = parse_string();
    } else if (text_.substr(position_, 4) == "true" || text_.substr(position_, 5) == "false") {
      value.kind = Json::Kind::boolean;
      value.flag = text_[position_] == 't';
      position_ += value.flag ? 4 : 5;
    } else if (text_.substr(position_, 4) == "null") {
      position_ += 4;
    } else {
      value.kind = Json::Kind::number;
      size_t used = 0;
      value.number = std::stod(std::string(text_.substr(position_)), &used);
      position_ += used;
    }
    return value;
  }
  // Escapes are kept as written, but for \" and \\, which is all these tests compare.
  std::string parse_string() {
    EXPECT_TRUE(take('"'));
    std::string text;
    while (position_ < text_.size() && text_[position_] != '"') {
      if (text_[position_] == '\\' && position_ + 1 < text_.size() &&
          (text_[position_ + 1] == '"' || text_[position_ + 1] == '\\')) {
        ++position_;
      }
      text += text_[position_++];
    }
    EXPECT_TRUE(take('"'));
    return text;
  }

  std::string_view text_;
  size_t position_ = 0;
};

Json parse_json(const std::string& text) {
  EXPECT_TRUE(is_valid_json(text)) << text;
  return JsonParser(text).parse_document();
}

NetworkAddress address(uint16_t port) {
  return NetworkAddress::from_octets(127, 0, 0, 1, port);
}

std::string process_document(uint16_t port) {
  return "{\"process\":{\"address\":\"" + address(port).to_string() + "\",\"uptime_s\":12.5}}";
}

// A recovered two-process cluster: the controller, sequencer, resolver, log and storage
// on the first process, the proxies on the second; both answered.
ClusterStatusFacts healthy_facts() {
  ClusterStatusFacts facts;
  facts.connection_string = "strata:abc@127.0.0.1:4500";
  facts.coordinators = {CoordinatorFacts{address(4500), true}};
  facts.timestamp_s = 1'700'000'000.25;
  facts.generation = 3;
  facts.recovery.state = RecoveryState::fully_recovered;
  facts.recovery.reason = "process 127.0.0.1:4502 of the current generation stopped answering";
  facts.recovery.last_completed_timestamp_s = 1'699'999'990.0;
  facts.recovery.last_duration_s = 0.75;
  facts.recovery.completed = 2;
  facts.database_exists = true;
  facts.storage_servers = 1;
  facts.workers_registered = 2;
  facts.process_timeout_s = 2;
  facts.log_generations = {{3, true, 5000, std::nullopt, {{UID(2, 4), address(4500)}}},
                           {2, false, 1000, 5000, {{UID(2, 8), address(4501)}}}};
  auto process = [](uint16_t port, UID worker) {
    ProcessFacts facts;
    facts.address = address(port);
    facts.worker_id = worker;
    facts.locality = Locality{ProcessClass::stateless, "zone-a", "machine-a"};
    facts.status_json = process_document(port);
    return facts;
  };
  ProcessFacts first = process(4500, UID(1, 1));
  first.roles = {{"cluster_controller", UID(2, 1)},
                 {"sequencer", UID(2, 2)},
                 {"resolver", UID(2, 3)},
                 {"log", UID(2, 4)},
                 {"storage", UID(2, 5)}};
  ProcessFacts second = process(4501, UID(1, 2));
  second.roles = {{"commit_proxy", UID(2, 6)}, {"grv_proxy", UID(2, 7)}};
  facts.processes = {first, second};
  return facts;
}

std::vector<std::string> message_names(const Json& document) {
  std::vector<std::string> names;
  for (const Json& message : document["cluster"]["messages"].items) {
    EXPECT_TRUE(message.has("description"));
    EXPECT_FALSE(message["description"].text.empty());
    names.push_back(message["name"].text);
  }
  return names;
}

const Json* find_message(const Json& document, std::string_view name) {
  for (const Json& message : document["cluster"]["messages"].items) {
    if (message["name"].text == name) return &message;
  }
  return nullptr;
}

TEST(ClusterStatusTest, RecoveredClusterIsAvailableAndHealthyWithEveryField) {
  std::string text = cluster_status_json(healthy_facts());
  Json document = parse_json(text);

  const Json& client = document["client"];
  EXPECT_TRUE(client["database_status"]["available"].flag);
  EXPECT_TRUE(client["database_status"]["healthy"].flag);
  ASSERT_EQ(client["coordinators"]["coordinators"].items.size(), 1u);
  EXPECT_EQ(client["coordinators"]["coordinators"].items[0]["address"].text, "127.0.0.1:4500");
  EXPECT_TRUE(client["coordinators"]["coordinators"].items[0]["reachable"].flag);
  EXPECT_TRUE(client["coordinators"]["quorum_reachable"].flag);

  const Json& cluster = document["cluster"];
  EXPECT_EQ(cluster["cluster_controller_timestamp"].number, 1'700'000'000);
  EXPECT_EQ(cluster["connection_string"].text, "strata:abc@127.0.0.1:4500");
  ASSERT_EQ(cluster["coordinators"].items.size(), 1u);
  EXPECT_EQ(cluster["coordinators"].items[0].text, "127.0.0.1:4500");
  EXPECT_EQ(cluster["generation"].number, 3);
  EXPECT_EQ(cluster["recovery_state"]["name"].text, "fully_recovered");
  EXPECT_NE(cluster["recovery_state"]["description"].text.find("generation 3"), std::string::npos);
  EXPECT_NE(cluster["recovery_state"]["reason"].text.find("127.0.0.1:4502"), std::string::npos);
  EXPECT_EQ(cluster["recovery_state"]["last_recovered_timestamp"].number, 1'699'999'990.0);
  EXPECT_EQ(cluster["recovery_state"]["seconds_since_last_recovered"].number, 10.25);
  EXPECT_EQ(cluster["recovery_state"]["last_recovery_duration_seconds"].number, 0.75);
  EXPECT_EQ(cluster["recovery_state"]["recoveries"].number, 2);
  EXPECT_TRUE(cluster["database_available"].flag);
  EXPECT_EQ(cluster["configuration"]["storage_engine"].text, "memory");
  EXPECT_EQ(cluster["configuration"]["redundancy_mode"].text, "single");
  EXPECT_EQ(cluster["configuration"]["logs"].number, 1);
  EXPECT_EQ(cluster["configuration"]["commit_proxies"].number, 1);
  EXPECT_EQ(cluster["configuration"]["grv_proxies"].number, 1);
  EXPECT_EQ(cluster["configuration"]["resolvers"].number, 1);
  EXPECT_EQ(cluster["configuration"]["tenant_mode"].text, "disabled");
  EXPECT_EQ(cluster["configuration"]["storage_servers"].number, 1);
  EXPECT_EQ(cluster["workers_registered"].number, 2);
  // The generations of logs, newest first.
  ASSERT_EQ(cluster["logs"].items.size(), 2u);
  EXPECT_EQ(cluster["logs"].items[0]["epoch"].number, 3);
  EXPECT_TRUE(cluster["logs"].items[0]["current"].flag);
  EXPECT_EQ(cluster["logs"].items[0]["begin_version"].number, 5000);
  EXPECT_FALSE(cluster["logs"].items[0].has("end_version"));
  EXPECT_EQ(cluster["logs"].items[0]["log_servers"].items[0]["id"].text, UID(2, 4).to_string());
  EXPECT_FALSE(cluster["logs"].items[1]["current"].flag);
  EXPECT_EQ(cluster["logs"].items[1]["end_version"].number, 5000);
  EXPECT_EQ(cluster["logs"].items[1]["log_servers"].items[0]["address"].text, "127.0.0.1:4501");
  EXPECT_TRUE(cluster["messages"].items.empty()) << text;
  // No figures the controller does not have; the shard count it does have.
  EXPECT_FALSE(cluster.has("workload"));
  EXPECT_FALSE(cluster["data"].has("total_disk_used_bytes"));
  EXPECT_EQ(cluster["data"]["partitions_count"].number,
            static_cast<double>(healthy_facts().teams.size()));

  ASSERT_EQ(cluster["processes"].members.size(), 2u);
  const Json& first = cluster["processes"]["127.0.0.1:4500"];
  EXPECT_EQ(first["address"].text, "127.0.0.1:4500");
  EXPECT_EQ(first["worker_id"].text, UID(1, 1).to_string());
  EXPECT_TRUE(first["reachable"].flag);
  EXPECT_EQ(first["class_type"].text, "stateless");
  EXPECT_EQ(first["locality"]["zoneid"].text, "zone-a");
  EXPECT_EQ(first["locality"]["machineid"].text, "machine-a");
  ASSERT_EQ(first["roles"].items.size(), 5u);
  EXPECT_EQ(first["roles"].items[0]["role"].text, "cluster_controller");
  EXPECT_EQ(first["roles"].items[0]["id"].text, UID(2, 1).to_string());
  EXPECT_EQ(first["roles"].items[4]["role"].text, "storage");
  // The process's own document, embedded as an object.
  EXPECT_EQ(first["status"]["process"]["address"].text, "127.0.0.1:4500");
  EXPECT_EQ(first["status"]["process"]["uptime_s"].number, 12.5);
  const Json& second = cluster["processes"]["127.0.0.1:4501"];
  EXPECT_EQ(second["roles"].items[0]["role"].text, "commit_proxy");
  EXPECT_EQ(second["roles"].items[1]["role"].text, "grv_proxy");

  EXPECT_EQ(cluster_status_json(healthy_facts()), text);
}

TEST(ClusterStatusTest, WorkloadAndLatenciesComeFromTheProcessesFigures) {
  ClusterStatusFacts facts = healthy_facts();
  ProcessMetrics storage;
  storage.reads_hz = 1000;
  storage.read_p50_s = 0.0002;
  storage.read_p99_s = 0.001;
  storage.storage_disk_used_bytes = 4096;
  const UID storage_id = facts.processes[0].roles.back().id;
  storage.storage_servers = {{storage_id, 1000, 4096}, {UID(9, 9), 7, 8}};
  ProcessMetrics proxies;
  proxies.transactions_started_hz = 300;
  proxies.transactions_committed_hz = 200;
  proxies.transactions_conflicted_hz = 5;
  proxies.writes_hz = 2000;
  proxies.commit_p50_s = 0.002;
  proxies.commit_p99_s = 0.01;
  proxies.reads_hz = 10;
  proxies.cpu_usage_cores = 0.75;
  proxies.resident_bytes = 123456789;
  facts.processes[0].metrics = storage;
  facts.processes[1].metrics = proxies;
  Json cluster = parse_json(cluster_status_json(facts))["cluster"];
  EXPECT_EQ(cluster["workload"]["operations"]["reads"]["hz"].number, 1010);
  EXPECT_EQ(cluster["workload"]["operations"]["writes"]["hz"].number, 2000);
  EXPECT_EQ(cluster["workload"]["transactions"]["started"]["hz"].number, 300);
  EXPECT_EQ(cluster["workload"]["transactions"]["committed"]["hz"].number, 200);
  EXPECT_EQ(cluster["workload"]["transactions"]["conflicted"]["hz"].number, 5);
  EXPECT_EQ(cluster["data"]["total_disk_used_bytes"].number, 4096);
  EXPECT_EQ(cluster["latency_statistics"]["read"]["p50_seconds"].number, 0.0002);
  EXPECT_EQ(cluster["latency_statistics"]["commit"]["p99_seconds"].number, 0.01);
  EXPECT_EQ(cluster["latency_statistics"]["read_version"]["p50_seconds"].number, 0);
  // Each storage server's bytes go with its role; a server the process no longer reports
  // as a role is not shown.
  const Json& roles = cluster["processes"]["127.0.0.1:4500"]["roles"];
  ASSERT_EQ(roles.items.back()["role"].text, "storage");
  EXPECT_EQ(roles.items.back()["stored_bytes"].number, 1000);
  EXPECT_EQ(roles.items.back()["kvstore_used_bytes"].number, 4096);
  EXPECT_FALSE(roles.items.front().has("stored_bytes"));
  EXPECT_FALSE(cluster["processes"]["127.0.0.1:4501"]["roles"].items[0].has("stored_bytes"));
  // Each process's CPU and memory, under FoundationDB's names.
  EXPECT_EQ(cluster["processes"]["127.0.0.1:4501"]["cpu"]["usage_cores"].number, 0.75);
  EXPECT_EQ(cluster["processes"]["127.0.0.1:4501"]["memory"]["rss_bytes"].number, 123456789);

  // Before any storage server persisted, no disk figure rather than a zero.
  facts.processes[0].metrics->storage_disk_used_bytes = 0;
  EXPECT_FALSE(
      parse_json(cluster_status_json(facts))["cluster"]["data"].has("total_disk_used_bytes"));
}

TEST(ClusterStatusTest, ProcessHostingARoleThatDoesNotAnswerMakesTheDatabaseUnavailable) {
  ClusterStatusFacts facts = healthy_facts();
  facts.processes[1].status_json.reset();
  facts.processes[1].failure = "timed_out (1004): the operation timed out";
  Json document = parse_json(cluster_status_json(facts));

  EXPECT_FALSE(document["cluster"]["database_available"].flag);
  EXPECT_FALSE(document["client"]["database_status"]["available"].flag);
  EXPECT_FALSE(document["client"]["database_status"]["healthy"].flag);
  EXPECT_EQ(document["cluster"]["recovery_state"]["name"].text, "fully_recovered");
  const Json& process = document["cluster"]["processes"]["127.0.0.1:4501"];
  EXPECT_FALSE(process["reachable"].flag);
  EXPECT_FALSE(process.has("status"));
  EXPECT_NE(process["message"].text.find("timed_out"), std::string::npos);
  EXPECT_NE(process["message"].text.find("2 s"), std::string::npos);
  // Its roles stay listed: they are where the controller put them.
  EXPECT_EQ(process["roles"].items.size(), 2u);

  EXPECT_EQ(message_names(document), std::vector<std::string>{"unreachable_processes"});
  const Json* message = find_message(document, "unreachable_processes");
  ASSERT_NE(message, nullptr);
  EXPECT_NE((*message)["description"].text.find("127.0.0.1:4501"), std::string::npos);
  EXPECT_NE((*message)["description"].text.find("Roles of the current generation run on 1"),
            std::string::npos);
  ASSERT_EQ((*message)["unreachable_processes"].items.size(), 1u);
  EXPECT_EQ((*message)["unreachable_processes"].items[0]["address"].text, "127.0.0.1:4501");
}

TEST(ClusterStatusTest, UnreachableProcessWithoutRolesLeavesTheDatabaseAvailableButUnhealthy) {
  ClusterStatusFacts facts = healthy_facts();
  ProcessFacts idle;
  idle.address = address(4502);
  idle.worker_id = UID(1, 3);
  idle.failure = "connection_failed (1026): the connection failed";
  facts.processes.push_back(idle);
  Json document = parse_json(cluster_status_json(facts));
  EXPECT_TRUE(document["client"]["database_status"]["available"].flag);
  EXPECT_FALSE(document["client"]["database_status"]["healthy"].flag);
  EXPECT_EQ(message_names(document), std::vector<std::string>{"unreachable_processes"});
}

TEST(ClusterStatusTest, RecoveryWaitingForLogsSaysWhatItWaitsFor) {
  ClusterStatusFacts facts = healthy_facts();
  facts.recovery.state = RecoveryState::locking_old_transaction_servers;
  facts.recovery.waiting_for = "a log of generation 3 (on 127.0.0.1:4500)";
  facts.processes.resize(1);
  facts.processes[0].roles.resize(1);  // only the controller: nothing published yet
  Json document = parse_json(cluster_status_json(facts));

  const Json& cluster = document["cluster"];
  EXPECT_EQ(cluster["recovery_state"]["name"].text, "locking_old_transaction_servers");
  EXPECT_EQ(cluster["recovery_state"]["waiting_for"].text, facts.recovery.waiting_for);
  EXPECT_NE(cluster["recovery_state"]["description"].text.find("a log of generation 3"),
            std::string::npos);
  EXPECT_FALSE(cluster["database_available"].flag);
  EXPECT_FALSE(document["client"]["database_status"]["available"].flag);
  EXPECT_EQ(message_names(document), std::vector<std::string>{"recovery_in_progress"});
}

TEST(ClusterStatusTest, MissingRolesAreNamed) {
  ClusterStatusFacts facts = healthy_facts();
  facts.missing = {"storage server " + UID(2, 5).short_string() + " (last on 127.0.0.1:4503)"};
  Json document = parse_json(cluster_status_json(facts));
  EXPECT_TRUE(document["cluster"]["database_available"].flag);
  EXPECT_FALSE(document["client"]["database_status"]["healthy"].flag);
  EXPECT_EQ(message_names(document), std::vector<std::string>{"missing_roles"});
  EXPECT_NE((*find_message(document, "missing_roles"))["description"].text.find("127.0.0.1:4503"),
            std::string::npos);
}

TEST(ClusterStatusTest, NewClusterWaitingForWorkersSaysSo) {
  ClusterStatusFacts facts = healthy_facts();
  facts.generation = 0;
  facts.database_exists = false;
  facts.log_generations.clear();
  facts.recovery.state = RecoveryState::configuration_never_created;
  facts.recovery.waiting_for = "2 more of 3 workers";
  Json document = parse_json(cluster_status_json(facts));
  EXPECT_EQ(document["cluster"]["generation"].number, 0);
  EXPECT_NE(document["cluster"]["recovery_state"]["description"].text.find("2 more of 3"),
            std::string::npos);
  EXPECT_FALSE(document["cluster"]["configuration"].has("storage_servers"));
  EXPECT_EQ(message_names(document), std::vector<std::string>{"recovery_in_progress"});
}

TEST(ClusterStatusTest, FailedRecoveryAttemptIsReported) {
  ClusterStatusFacts facts = healthy_facts();
  facts.recovery.state = RecoveryState::locking_old_transaction_servers;
  facts.recovery.error = "broken_promise (1100): the \"log\" went away";
  Json document = parse_json(cluster_status_json(facts));
  EXPECT_FALSE(document["client"]["database_status"]["available"].flag);
  EXPECT_EQ(message_names(document),
            (std::vector<std::string>{"recovery_in_progress", "recovery_failed"}));
  EXPECT_NE((*find_message(document, "recovery_failed"))["description"].text.find(
                "the \"log\" went away"),
            std::string::npos);
}

TEST(ClusterStatusTest, EveryRecoveryStateHasANameAndADescription) {
  for (RecoveryState state :
       {RecoveryState::reading_coordinated_state, RecoveryState::locking_coordinated_state,
        RecoveryState::configuration_never_created, RecoveryState::locking_old_transaction_servers,
        RecoveryState::recruiting_transaction_servers, RecoveryState::writing_coordinated_state,
        RecoveryState::accepting_commits, RecoveryState::fully_recovered}) {
    ClusterStatusFacts facts = healthy_facts();
    facts.recovery.state = state;
    Json document = parse_json(cluster_status_json(facts));
    EXPECT_EQ(document["cluster"]["recovery_state"]["name"].text, recovery_state_name(state));
    EXPECT_FALSE(document["cluster"]["recovery_state"]["description"].text.empty());
    EXPECT_EQ(document["cluster"]["database_available"].flag,
              state == RecoveryState::fully_recovered || state == RecoveryState::accepting_commits);
  }
}

TEST(ClusterStatusTest, UnreachableCoordinatorLosesTheQuorum) {
  ClusterStatusFacts facts = healthy_facts();
  facts.coordinators.push_back(CoordinatorFacts{address(4600), false});
  facts.coordinators.push_back(CoordinatorFacts{address(4601), false});
  Json document = parse_json(cluster_status_json(facts));
  EXPECT_FALSE(document["client"]["coordinators"]["quorum_reachable"].flag);
  EXPECT_FALSE(document["client"]["database_status"]["healthy"].flag);
  const Json* message = find_message(document, "unreachable_processes");
  ASSERT_NE(message, nullptr);
  EXPECT_EQ((*message)["unreachable_processes"].items.size(), 2u);
  EXPECT_EQ(document["cluster"]["coordinators"].items.size(), 3u);
}

TEST(ClusterStatusTest, ProcessDocumentThatIsNotJsonIsNotEmbedded) {
  ClusterStatusFacts facts = healthy_facts();
  facts.processes[1].status_json = "{\"process\": [unterminated";
  std::string text = cluster_status_json(facts);
  Json document = parse_json(text);
  const Json& process = document["cluster"]["processes"]["127.0.0.1:4501"];
  EXPECT_TRUE(process["reachable"].flag);
  EXPECT_FALSE(process.has("status"));
  EXPECT_NE(process["message"].text.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(text.find("unterminated"), std::string::npos);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

// A triple cluster of five processes in five zones: coordinators on the first three, logs
// on the first three, shard ["", "m") on zones 1-3 and ["m", end) on zones 3-5.
ClusterStatusFacts triple_facts() {
  ClusterStatusFacts facts = healthy_facts();
  facts.configuration.replication = 3;
  facts.coordinators = {CoordinatorFacts{address(4500), true},
                        CoordinatorFacts{address(4501), true},
                        CoordinatorFacts{address(4502), true}};
  facts.processes.clear();
  for (uint16_t i = 0; i < 5; ++i) {
    ProcessFacts process;
    process.address = address(static_cast<uint16_t>(4500 + i));
    process.worker_id = UID(1, 1 + i);
    std::string zone = "z" + std::to_string(i + 1);
    process.locality = Locality{ProcessClass::unset, zone, zone};
    process.status_json = process_document(process.address.port());
    facts.processes.push_back(process);
  }
  facts.log_generations = {
      {3,
       true,
       5000,
       std::nullopt,
       {{UID(3, 1), address(4500)}, {UID(3, 2), address(4501)}, {UID(3, 3), address(4502)}}}};
  auto member = [](uint16_t i) {
    std::string zone = "z" + std::to_string(i + 1);
    return TeamMemberFacts{UID(4, i), address(static_cast<uint16_t>(4500 + i)), zone, true,
                           static_cast<Tag>(i)};
  };
  facts.teams = {{KeyRange{"", "m"}, {member(0), member(1), member(2)}, {}},
                 {KeyRange{"m", all_keys_end}, {member(2), member(3), member(4)}, {}}};
  facts.storage_servers = 5;
  return facts;
}

TEST(ClusterStatusTest, QosShowsTheRatekeepersLimitsAndQueues) {
  ClusterStatusFacts facts = triple_facts();
  Json document = parse_json(cluster_status_json(facts));
  EXPECT_FALSE(document["cluster"]["qos"]["ratekeeper"]["running"].flag);
  EXPECT_FALSE(document["cluster"]["qos"].has("performance_limited_by"));
  facts.ratekeeper = address(4508);
  RatekeeperStatusReply qos;
  qos.normal = RateLimit{250, LimitReason::storage_server_write_queue_size, UID(7, 7)};
  qos.batch = RateLimit{0, LimitReason::log_server_write_queue, UID(8, 8)};
  qos.released_tps = 240;
  qos.worst.storage_queue_bytes = 900'000'000;
  qos.worst.limiting_storage_queue_bytes = 800'000'000;
  qos.worst.storage_lag_versions = 2'500'000;
  qos.worst.log_queue_bytes = 12345;
  facts.qos = qos;
  facts.versions_per_second = 1e6;
  Json limited = parse_json(cluster_status_json(facts));
  const Json& q = limited["cluster"]["qos"];
  EXPECT_EQ(q["ratekeeper"]["address"].text, "127.0.0.1:4508");
  EXPECT_EQ(q["performance_limited_by"]["name"].text, "storage_server_write_queue_size");
  EXPECT_EQ(q["performance_limited_by"]["reason_server_id"].text, UID(7, 7).to_string());
  EXPECT_EQ(q["batch_performance_limited_by"]["name"].text, "log_server_write_queue");
  EXPECT_EQ(q["transactions_per_second_limit"].number, 250);
  EXPECT_EQ(q["batch_transactions_per_second_limit"].number, 0);
  EXPECT_EQ(q["released_transactions_per_second"].number, 240);
  EXPECT_EQ(q["worst_queue_bytes_storage_server"].number, 900'000'000);
  EXPECT_EQ(q["limiting_queue_bytes_storage_server"].number, 800'000'000);
  EXPECT_EQ(q["worst_queue_bytes_log_server"].number, 12345);
  EXPECT_EQ(q["worst_data_lag_storage_server"]["versions"].number, 2'500'000);
  EXPECT_EQ(q["worst_data_lag_storage_server"]["seconds"].number, 2.5);
}

// A lost storage server leaves the database available while every shard has a live copy
// elsewhere; a shard without one makes it unavailable.
TEST(ClusterStatusTest, AvailabilityCountsStorageServersByShard) {
  ClusterStatusFacts facts = triple_facts();
  facts.processes[4].roles = {{"storage", UID(4, 4)}};
  facts.processes[4].status_json.reset();
  facts.processes[4].failure = "connection_failed (1026)";
  facts.teams[1].members[2].live = false;
  facts.missing = {"storage server " + UID(4, 4).short_string() + " (last on 127.0.0.1:4504)"};
  Json document = parse_json(cluster_status_json(facts));
  EXPECT_TRUE(document["cluster"]["database_available"].flag);
  EXPECT_FALSE(document["client"]["database_status"]["healthy"].flag);
  EXPECT_EQ(document["cluster"]["storage_teams"].items[1]["health"].text, "degraded");

  facts.teams[1].members[0].live = false;
  facts.teams[1].members[1].live = false;
  document = parse_json(cluster_status_json(facts));
  EXPECT_EQ(document["cluster"]["storage_teams"].items[1]["health"].text, "unavailable");
  EXPECT_FALSE(document["cluster"]["database_available"].flag);
}

TEST(ClusterStatusTest, AMovingShardShowsTheTeamItMovesTo) {
  ClusterStatusFacts facts = triple_facts();
  facts.teams[1].moving_to = {facts.teams[0].members[0]};
  Json document = parse_json(cluster_status_json(facts));
  const Json& cluster = document["cluster"];
  EXPECT_EQ(cluster["data"]["partitions_count"].number, 2);
  EXPECT_EQ(cluster["data"]["moving_partitions"].number, 1);
  EXPECT_FALSE(cluster["data"]["data_distributor"]["running"].flag);
  facts.data_distributor = address(4507);
  EXPECT_EQ(
      parse_json(cluster_status_json(facts))["cluster"]["data"]["data_distributor"]["address"].text,
      "127.0.0.1:4507");
  EXPECT_FALSE(cluster["storage_teams"].items[0].has("moving_to"));
  ASSERT_EQ(cluster["storage_teams"].items[1]["moving_to"].items.size(), 1u);
  EXPECT_EQ(cluster["storage_teams"].items[1]["moving_to"].items[0]["zoneid"].text, "z1");
  // The copies it fetches do not count for its health until it arrives.
  EXPECT_EQ(cluster["storage_teams"].items[1]["health"].text, "healthy");
  EXPECT_EQ(cluster["data"]["state"]["name"].text, "healthy_rebalancing");
  EXPECT_TRUE(cluster["data"]["state"]["healthy"].flag);
  EXPECT_EQ(cluster["data"]["state"]["min_replicas_remaining"].number, 3);
}

TEST(ClusterStatusTest, DataStateIsTheWorstShards) {
  ClusterStatusFacts facts = triple_facts();
  auto state = [&facts] {
    return parse_json(cluster_status_json(facts))["cluster"]["data"]["state"];
  };
  EXPECT_EQ(state()["name"].text, "healthy");
  EXPECT_EQ(state()["description"].text, "Healthy");
  facts.teams[0].members[2].live = false;
  EXPECT_EQ(state()["name"].text, "healing");
  EXPECT_FALSE(state()["healthy"].flag);
  EXPECT_EQ(state()["min_replicas_remaining"].number, 2);
  facts.teams[1].members[0].live = false;
  facts.teams[1].members[1].live = false;
  facts.teams[1].members[2].live = false;
  EXPECT_EQ(state()["name"].text, "missing_data");
  EXPECT_EQ(state()["min_replicas_remaining"].number, 0);
  // Before the map is known there is nothing to say.
  facts.teams = {};
  EXPECT_FALSE(parse_json(cluster_status_json(facts))["cluster"]["data"].has("state"));
}

TEST(ClusterStatusTest, FaultToleranceCountsTheZonesEachCopyAndCoordinatorNeeds) {
  ClusterStatusFacts facts = triple_facts();
  FaultTolerance tolerance = fault_tolerance(facts);
  // Two zones may go without losing data; the third coordinator's zone limits availability
  // to one (two of three coordinators must survive).
  EXPECT_EQ(tolerance.without_losing_data, 2);
  EXPECT_EQ(tolerance.without_losing_availability, 1);
  EXPECT_NE(tolerance.availability_limited_by.find("coordinators"), std::string::npos);
  Json document = parse_json(cluster_status_json(facts));
  const Json& cluster = document["cluster"];
  EXPECT_EQ(cluster["configuration"]["redundancy_mode"].text, "triple");
  EXPECT_EQ(cluster["fault_tolerance"]["max_zone_failures_without_losing_data"].number, 2);
  EXPECT_EQ(cluster["fault_tolerance"]["max_zone_failures_without_losing_availability"].number, 1);
  ASSERT_EQ(cluster["storage_teams"].items.size(), 2u);
  EXPECT_EQ(cluster["storage_teams"].items[1]["begin"].text, "m");
  EXPECT_EQ(cluster["storage_teams"].items[1]["health"].text, "healthy");
  EXPECT_EQ(cluster["storage_teams"].items[1]["servers"].items[2]["zoneid"].text, "z5");
  EXPECT_EQ(find_message(document, "fault_tolerance_reduced"), nullptr);
  // No log answered: no queue figures, no lag.
  EXPECT_FALSE(cluster["logs"].items[0]["log_servers"].items[0].has("queue_disk_bytes"));
  EXPECT_FALSE(cluster["storage_teams"].items[0]["servers"].items[0].has("log_lag_seconds"));
}

TEST(ClusterStatusTest, LogQueuesAndHowFarBehindEachStorageServerIs) {
  ClusterStatusFacts facts = triple_facts();
  // Tag 3's server stopped popping 18 s of versions ago; tag 0 is a window behind.
  facts.log_queues[UID(3, 1)] = {
      20'000'000, 8192, 1000, 4'000'000, {{0, 15'000'000}, {3, 2'000'000}}};
  facts.log_queues[UID(3, 2)] = {19'000'000, 4096, 900, 0, {{0, 14'000'000}, {3, 2'000'000}}};
  Json document = parse_json(cluster_status_json(facts));
  const Json& cluster = document["cluster"];
  const Json& first = cluster["logs"].items[0]["log_servers"].items[0];
  EXPECT_EQ(first["durable_version"].number, 20'000'000);
  EXPECT_EQ(first["queue_disk_bytes"].number, 8192);
  EXPECT_EQ(first["queue_memory_bytes"].number, 1000);
  EXPECT_EQ(first["spilled_through_version"].number, 4'000'000);
  EXPECT_FALSE(cluster["logs"].items[0]["log_servers"].items[2].has("queue_disk_bytes"));
  const Json& team = cluster["storage_teams"].items[1];
  EXPECT_EQ(team["servers"].items[1]["log_lag_seconds"].number, 18.0);  // tag 3
  EXPECT_EQ(cluster["storage_teams"].items[0]["servers"].items[0]["log_lag_seconds"].number,
            5.0);  // tag 0: the most behind of the two logs
}

TEST(ClusterStatusTest, LostCopiesLowerFaultToleranceWithAMessageNamingTheShard) {
  ClusterStatusFacts facts = triple_facts();
  facts.processes[3].failed = true;
  facts.teams[1].members[1].live = false;
  Json document = parse_json(cluster_status_json(facts));
  const Json& cluster = document["cluster"];
  EXPECT_EQ(cluster["fault_tolerance"]["max_zone_failures_without_losing_data"].number, 1);
  EXPECT_EQ(cluster["storage_teams"].items[0]["health"].text, "healthy");
  EXPECT_EQ(cluster["storage_teams"].items[1]["health"].text, "degraded");
  const Json* reduced = find_message(document, "fault_tolerance_reduced");
  ASSERT_NE(reduced, nullptr);
  EXPECT_NE((*reduced)["description"].text.find("['m'"), std::string::npos)
      << (*reduced)["description"].text;

  facts.processes[4].failed = true;
  facts.teams[1].members[2].live = false;
  FaultTolerance tolerance = fault_tolerance(facts);
  EXPECT_EQ(tolerance.without_losing_data, 0);
  EXPECT_EQ(tolerance.without_losing_availability, 0);
  document = parse_json(cluster_status_json(facts));
  EXPECT_EQ(document["cluster"]["storage_teams"].items[1]["health"].text, "one_copy_left");
  // A log lost too: the logs' zones limit the data.
  facts.processes[0].failed = true;
  facts.processes[1].failed = true;
  facts.teams = {};
  tolerance = fault_tolerance(facts);
  EXPECT_EQ(tolerance.without_losing_data, 0);
  EXPECT_NE(tolerance.data_limited_by.find("logs"), std::string::npos) << tolerance.data_limited_by;
}

}  // namespace
}  // namespace strata
