// tongban licence types|issue|show|verify|revoke|renew|reissue|pdf and tongban licence keys
// list|rotate|rewrap: the e-licence register and the key hierarchy at the server.
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/app.h"
#include "cli/command.h"
#include "licences/pdf.h"

namespace tongban::cli {
namespace {

struct LicenceFlags {
  DatabaseFlags db;
  bool demo = false;
  std::string id;
  std::string type, holder, holder_name, issuer, data = "{}", valid_from, case_id;
  std::string reason, changes = "{}", output, file, department, master_id;
};

Result<std::unique_ptr<app::App>> OpenApp(const LicenceFlags& flags) {
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags.db));
  config.demo = config.demo || flags.demo;
  return app::App::Create(config);
}

Result<nlohmann::json> ParseJsonFlag(const std::string& name, const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    FieldErrors errors;
    errors.Add(name, "must be JSON");
    return errors.ToError("invalid flag");
  }
}

nlohmann::json Summary(const licences::Licence& l) {
  return {{"id", l.id},
          {"type", l.type_name},
          {"holder", l.holder_name},
          {"issuer", l.issuer.name},
          {"version", l.version},
          {"status", licences::LicenceStatusName(l.status)},
          {"valid_from", l.valid_from.ToString()},
          {"valid_until", l.valid_until ? nlohmann::json(l.valid_until->ToString()) : nullptr},
          {"licence", licences::SignedLicenceToJson(l.signed_licence)}};
}

void Print(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

// Runs `body` with the application open; its Result decides the exit code.
template <typename F>
std::function<void()> Command(const std::shared_ptr<LicenceFlags>& flags, Context& ctx, F body) {
  return [flags, &ctx, body] {
    auto a = OpenApp(*flags);
    if (!a.ok()) {
      ctx.exit_code = Fail(a.error());
      return;
    }
    Result<int> rc = body(**a, *flags);
    ctx.exit_code = rc.ok() ? rc.value() : Fail(rc.error());
  };
}

}  // namespace

void AddLicenceCommands(CLI::App& cli, Context& ctx) {
  auto* group = cli.add_subcommand("licence", "e-licences (电子证照) and their signing keys");
  group->require_subcommand(1);
  auto flags = std::make_shared<LicenceFlags>();
  auto add = [&](const char* name, const char* help) {
    auto* cmd = group->add_subcommand(name, help);
    AddDatabaseFlags(cmd, flags->db);
    cmd->add_flag("--demo", flags->demo, "load the demo data set (departments, licence types)");
    return cmd;
  };

  add("types", "list the licence types")
      ->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags&) -> Result<int> {
        TB_ASSIGN_OR_RETURN(auto types, a.licences().ListTypes());
        for (const auto& t : types) std::printf("%s  %s\n", t.code.c_str(), t.name.c_str());
        return 0;
      }));

  auto* issue = add("issue", "issue a licence and print it (JSON)");
  issue->add_option("--type", flags->type, "licence type code")->required();
  issue->add_option("--holder", flags->holder, "holder's ID number or USCC")->required();
  issue->add_option("--holder-name", flags->holder_name, "holder's name")->required();
  issue->add_option("--issuer", flags->issuer, "issuing department code")->required();
  issue->add_option("--data", flags->data, "the data fields as a JSON object");
  issue->add_option("--valid-from", flags->valid_from, "YYYY-MM-DD (default today)");
  issue->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags& f) -> Result<int> {
    TB_ASSIGN_OR_RETURN(nlohmann::json data, ParseJsonFlag("--data", f.data));
    licences::IssueRequest r{.type_code = f.type,
                             .holder_id = f.holder,
                             .holder_name = f.holder_name,
                             .issuer = f.issuer,
                             .data = data,
                             .valid_from = std::nullopt,
                             .case_id = "",
                             .actor = "cli"};
    if (!f.valid_from.empty()) {
      TB_ASSIGN_OR_RETURN(Date d, Date::Parse(f.valid_from, "--valid-from"));
      r.valid_from = d;
    }
    TB_ASSIGN_OR_RETURN(licences::Licence l, a.licences().Issue(r));
    Print(Summary(l));
    return 0;
  }));

  auto* show = add("show", "print a licence of the register (JSON)");
  show->add_option("id", flags->id, "licence id")->required();
  show->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags& f) -> Result<int> {
    TB_ASSIGN_OR_RETURN(licences::Licence l, a.licences().Get(f.id));
    Print(Summary(l));
    return 0;
  }));

  auto* verify = add("verify", "verify a licence by id, or a licence file (exit 0 valid, 1 not)");
  verify->add_option("id", flags->id, "licence id");
  verify->add_option("--file", flags->file, "a licence in its JSON exchange form");
  verify->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags& f) -> Result<int> {
    licences::Verification v;
    if (!f.file.empty()) {
      std::ifstream in(f.file);
      if (!in) return Error(ErrorCode::kInvalidArgument, fmt::format("cannot read {}", f.file));
      std::stringstream text;
      text << in.rdbuf();
      TB_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonFlag("--file", text.str()));
      TB_ASSIGN_OR_RETURN(licences::SignedLicence s, licences::SignedLicenceFromJson(j));
      TB_ASSIGN_OR_RETURN(v, a.licences().Verify(s));
    } else if (!f.id.empty()) {
      TB_ASSIGN_OR_RETURN(v, a.licences().VerifyById(f.id));
    } else {
      return Error(ErrorCode::kInvalidArgument, "give a licence id or --file");
    }
    std::printf("%s: %s\n", std::string(licences::VerifyOutcomeName(v.outcome)).c_str(),
                v.reason.c_str());
    return v.valid() ? 0 : 1;
  }));

  auto* revoke = add("revoke", "revoke a licence with a reason");
  revoke->add_option("id", flags->id, "licence id")->required();
  revoke->add_option("--reason", flags->reason, "why (kept and shown by verification)")->required();
  revoke->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags& f) -> Result<int> {
    TB_ASSIGN_OR_RETURN(licences::Licence l, a.licences().Revoke(f.id, f.reason, "cli"));
    std::printf("%s %s\n", l.id.c_str(), std::string(LicenceStatusName(l.status)).c_str());
    return 0;
  }));

  auto* renew = add("renew", "renew a licence: a new version valid from today");
  renew->add_option("id", flags->id, "licence id")->required();
  renew->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags& f) -> Result<int> {
    TB_ASSIGN_OR_RETURN(licences::Licence l, a.licences().Renew(f.id, "cli"));
    Print(Summary(l));
    return 0;
  }));

  auto* reissue = add("reissue", "reissue a licence with changed data: a new version");
  reissue->add_option("id", flags->id, "licence id")->required();
  reissue->add_option("--changes", flags->changes, "data changes as a JSON object")->required();
  reissue->add_option("--reason", flags->reason, "why");
  reissue->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags& f) -> Result<int> {
    TB_ASSIGN_OR_RETURN(nlohmann::json changes, ParseJsonFlag("--changes", f.changes));
    TB_ASSIGN_OR_RETURN(licences::Licence l, a.licences().Reissue(f.id, changes, f.reason, "cli"));
    Print(Summary(l));
    return 0;
  }));

  auto* pdf = add("pdf", "write the printable PDF of a licence");
  pdf->add_option("id", flags->id, "licence id")->required();
  pdf->add_option("-o,--output", flags->output, "PDF file to write")->required();
  pdf->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags& f) -> Result<int> {
    TB_ASSIGN_OR_RETURN(licences::Licence l, a.licences().Get(f.id));
    TB_ASSIGN_OR_RETURN(licences::LicenceType type, a.licences().GetType(l.type_code));
    TB_ASSIGN_OR_RETURN(std::string bytes,
                        licences::RenderPdf(l, type, a.config().public_url + "/verify/" + l.id));
    std::ofstream out(f.output, std::ios::binary);
    out << bytes;
    if (!out) return Error(ErrorCode::kUnavailable, fmt::format("cannot write {}", f.output));
    std::printf("%s (%zu bytes)\n", f.output.c_str(), bytes.size());
    return 0;
  }));

  auto* keys = add("keys", "the key hierarchy: list, rotate DEPARTMENT, rewrap");
  keys->add_option("action", flags->file, "list | rotate | rewrap")->required();
  keys->add_option("arg", flags->department, "department code (rotate)");
  keys->callback(Command(flags, ctx, [](app::App& a, const LicenceFlags& f) -> Result<int> {
    if (f.file == "list") {
      TB_ASSIGN_OR_RETURN(auto all, a.keys().List());
      for (const auto& c : all) {
        std::printf("%lld  %-16s  %-8s  master %s  %s  %s\n", static_cast<long long>(c.serial),
                    c.owner.c_str(), c.status == keys::KeyStatus::kActive ? "active" : "retired",
                    c.master_key_id.c_str(), c.key_id.substr(0, 16).c_str(), c.owner_name.c_str());
      }
      return 0;
    }
    if (f.file == "rotate") {
      TB_ASSIGN_OR_RETURN(licences::IssuerDepartment d, a.licences().Department(f.department));
      TB_ASSIGN_OR_RETURN(auto c, a.keys().Rotate({.code = d.code, .name = d.name}));
      std::printf("%s: new key %s (certificate serial %lld)\n", d.code.c_str(), c.key_id.c_str(),
                  static_cast<long long>(c.serial));
      return 0;
    }
    if (f.file == "rewrap") {
      TB_ASSIGN_OR_RETURN(int n, a.keys().Rewrap());
      std::printf("%d private key(s) re-encrypted under the current master key\n", n);
      return 0;
    }
    return Error(ErrorCode::kInvalidArgument,
                 "keys: action must be list, rotate or rewrap (add a master key by appending "
                 "\"<id> <64 hex>\" to the master key file, then rewrap)");
  }));
}

}  // namespace tongban::cli
