// The service's enums, its creation and its migrations. Invariants: a message is in the outbox
// iff its log entry "out" (or "relay") exists, written in the same transaction as the change it
// reports; a message is in the inbox iff its log entry "in" exists; a sender's messages are
// applied in sequence order, each once (xregion_applied holds the last one applied).
#include "xregion/service.h"
#include "xregion/service_impl.h"

namespace tongban::xregion {

std::string_view ModeName(Mode m) {
  switch (m) {
    case Mode::kOnline:
      return "online";
    case Mode::kProxy:
      return "proxy";
    case Mode::kJoint:
      return "joint";
  }
  return "proxy";
}

std::optional<Mode> ParseMode(std::string_view s) {
  if (s == "online") return Mode::kOnline;
  if (s == "proxy") return Mode::kProxy;
  if (s == "joint") return Mode::kJoint;
  return std::nullopt;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kReceiving:
      return "receiving";
    case Role::kHandling:
      return "handling";
    case Role::kLead:
      return "lead";
    case Role::kPart:
      return "part";
  }
  return "receiving";
}

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "receiving") return Role::kReceiving;
  if (s == "handling") return Role::kHandling;
  if (s == "lead") return Role::kLead;
  if (s == "part") return Role::kPart;
  return std::nullopt;
}

std::string_view ReceiveStatusName(ReceiveStatus s) {
  switch (s) {
    case ReceiveStatus::kStored:
      return "stored";
    case ReceiveStatus::kDuplicate:
      return "duplicate";
    case ReceiveStatus::kRelayed:
      return "relayed";
  }
  return "stored";
}

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("xregion", kXregionSql, kXregionSql_count);
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

Result<std::unique_ptr<Service>> Service::Create(store::Database& db, crypto::Sm2Key key,
                                                 ServiceOptions options) {
  if (!key.has_private_key()) {
    return Error(ErrorCode::kCrypto, "the exchange needs the installation's private key");
  }
  (void)Queries();
  return std::unique_ptr<Service>(
      new Service(std::make_unique<Impl>(db, std::move(key), std::move(options))));
}

const crypto::Sm2Key& Service::key() const { return impl_->key; }

}  // namespace tongban::xregion
