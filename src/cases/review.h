// The review stage of a case (审查): its scenario's BPMN process on the durable runtime. The
// values the case service's review methods (review.cc) take and return.
#pragma once

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

}  // namespace tongban::cases
