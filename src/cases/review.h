// The review stage of a case (审查): its scenario's BPMN process on the durable runtime. The
// values the case service's review methods (review.cc) take and return.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "cases/model.h"

namespace tongban::cases {

struct ReviewOptions {
  // The process a scenario without a deployed `process:` gets: one approval task.
  std::string default_process = "case_single_approval";
};

enum class ReviewDecision { kApproved, kDenied };
std::string_view ReviewDecisionName(ReviewDecision d);
std::optional<ReviewDecision> ParseReviewDecision(std::string_view s);

// One open step of a case's review: a user task of its process.
struct ReviewStep {
  std::string task_id;
  std::string element_id;
  std::string name;
  std::string step;        // the task's tongban.step header (acceptance, review, approval, ...)
  std::string department;  // whose step it is: the multi-instance department, else the case's
  std::string assignee;    // empty: any member of its candidate groups
  std::vector<std::string> candidate_groups;
  // The task's due time (zeebe:taskSchedule), else the end of the case's promised limit.
  std::optional<Timestamp> due;
  std::optional<Date> due_on;
  bool overdue = false;
};

struct Review {
  std::string instance_id;
  std::string process_id;
  std::string status;  // running, completed, incident, cancelled
  bool joint = false;  // 第26条: several departments at once
  std::vector<ReviewStep> steps;
};

// A review task of an approver's inbox, with its case.
struct ReviewTask {
  ReviewStep step;
  CaseSummary summary;
  std::optional<Date> case_due_on;
};

// 一件事一次办: one application for a catalog bundle with one merged form (a field that several
// matters' forms share is asked once). Each matter becomes a sub-case (its first scenario).
struct BundleRequest {
  std::string bundle{};  // the catalog bundle's code
  Channel channel = Channel::kOnline;
  ApplicantKind applicant_kind = ApplicantKind::kPerson;
  std::string applicant_code{};
  std::string applicant_name{};
  std::string agent_account{};
  std::map<std::string, std::string> form{};
  // Scoped per submitting account: the same key returns the same application.
  std::string idempotency_key{};
};

struct BundleApplication {
  std::string number;  // 430423-20261126-Y00001
  std::string bundle;
  std::string name;
  std::string region;
  std::string process_id;
  std::string instance_id;
  std::string status;       // the bundle process: running, completed, cancelled, ...
  bool concluded = false;   // every matter has its result, or a denial ended an ordered bundle
  std::vector<Case> cases;  // one per matter, in the bundle's order, each with its clock
  // The bundle's clock: the latest due day of its sub-cases and the working days left to it.
  std::optional<Date> due_on;
  int64_t remaining_working_days = 0;
  bool overdue = false;
  bool replayed = false;
};

}  // namespace tongban::cases
