// Cross-region service (跨省通办): the installation's identity, partners, agreements, and the
// cross-region cases with their timelines. Plain values; the wire names of the enums are their
// English ids (GLOSSARY.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tongban::xregion {

// The three national modes (国办发〔2020〕35号).
enum class Mode {
  kOnline,  // 全程网办: the applicant applies to the competent region from anywhere
  kProxy,   // 异地代收代办: a window here checks and forwards; the competent region decides
  kJoint,   // 多地联办: one lead case, a sub-case (part) in each partner's installation
};
std::string_view ModeName(Mode m);
std::optional<Mode> ParseMode(std::string_view s);

// Which side of a cross-region case this installation holds.
enum class Role {
  kReceiving,  // 收件地: forwarded the case and returns the result to the applicant
  kHandling,   // 办理地: decides the case
  kLead,       // 多地联办: owns the joint case
  kPart,       // 多地联办: one partner's part, started and answered by messages
};
std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view s);

struct Identity {
  std::string region{};  // this installation's region code
  std::string name{};
  bool hub = false;  // stores and forwards envelopes addressed to others
};

struct Partner {
  std::string region{};
  std::string name{};
  std::string base_url{};  // http://… or https://…, without a trailing path
  // The agreement's key certificate: an X.509 certificate (PEM) of the partner's exchange key
  // whose subject organization is the partner's region; a bare SM2 public key PEM is accepted
  // too (installations set up before certificates).
  std::string public_key{};
  bool hub = false;   // relays for others; its hop stamps are trusted
  std::string via{};  // region of a hub partner to relay through; empty: direct
  // The partner's e-licence root certificate (X.509 PEM, a CA): licences its departments issue
  // verify here against it. Empty: none verify.
  std::string licence_root{};
};

struct AgreementMatter {
  std::string matter{};  // implementation item code in the handling region's catalog
  std::string name{};
  std::string handling_region{};  // 办理地: this installation's region or the partner's
};

struct Agreement {
  std::string id{};
  std::string partner{};  // region code
  Mode mode = Mode::kProxy;
  std::string title{};
  std::vector<AgreementMatter> matters{};
  // Paper originals the law requires are mailed by the receiving region within this many days
  // of forwarding (a timed, supervised step); 0: none are required.
  int originals_days = 0;
};

// A matter the portal or the windows may offer: one agreement's matter handled elsewhere.
struct Offer {
  std::string matter{};
  std::string name{};
  std::string handling_region{};
  std::string partner_name{};
  Mode mode = Mode::kProxy;
  std::string agreement_id{};
};

struct Material {
  std::string name{};
  std::string hash{};  // SM3 hex of the bytes
  int64_t size = 0;
};

struct TimelineEntry {
  std::string id{};  // the id of the message that carried it (the same on every side)
  int64_t at_ms = 0;
  std::string region{};  // where it happened
  std::string kind{};    // forwarded, accepted, approved, denied, mailed, concluded, …
  std::string note{};
};

struct Part {
  std::string part_ref{};
  std::string region{};
  std::string matter{};
  std::string state{};
};

struct CrossCase {
  std::string ref{};  // "<origin region>-<id>": the same on every side
  Mode mode = Mode::kProxy;
  Role role = Role::kReceiving;
  std::string matter{};
  std::string matter_name{};
  std::string receiving_region{};  // 收件地
  std::string handling_region{};   // 办理地
  std::string counterpart{};       // the other installation; empty for a joint lead
  std::string parent_ref{};        // a part: its lead case
  std::string applicant_name{};
  std::string applicant_code{};
  std::map<std::string, std::string> form{};
  std::vector<Material> materials{};
  std::string delivery{};  // where the result goes: online, window, mail
  std::string state{};     // forwarded, accepted, refused, approved, denied, mailed, concluded
  std::string result{};
  std::string tracking_number{};  // 邮寄: the parcel of the paper result or originals
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  // The handling side: the case opened here through src/cases (its own number, calendar and
  // legal clock); empty until opened, or when it could not be (open_error says why).
  std::string case_number{};
  std::string open_error{};
  // Paper originals by mail (timed): due by (0: none required), tracking number, mailed, received.
  int64_t originals_due_at_ms = 0;
  std::string originals_tracking{};
  int64_t originals_mailed_at_ms = 0;
  int64_t originals_received_at_ms = 0;
  std::vector<TimelineEntry> timeline{};  // oldest first
  std::vector<Part> parts{};              // a joint lead's parts
};

}  // namespace tongban::xregion
