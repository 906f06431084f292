// tongban people add-staff | hash-password: the operator's commands at the server, for setting up
// the first administrators (who then work through the API) and for making password hashes.
#include <cstdio>
#include <iostream>
#include <string>

#include "app/app.h"
#include "cli/command.h"
#include "people/password.h"

namespace tongban::cli {
namespace {

// One line from stdin without its line ending; passwords never travel on the command line,
// where other users could read them in the process list.
std::string ReadSecretLine() {
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

}  // namespace

void AddPeopleCommands(CLI::App& cli, Context& ctx) {
  auto* people = cli.add_subcommand("people", "accounts, roles and scopes");
  people->require_subcommand(1);

  struct AddStaffFlags {
    DatabaseFlags db;
    std::string username, name, region, department, phone;
    std::vector<std::string> roles;
  };
  auto flags = std::make_shared<AddStaffFlags>();
  auto* add = people->add_subcommand(
      "add-staff", "create a staff account with roles (password on stdin); 三员分立 applies");
  AddDatabaseFlags(add, flags->db);
  add->add_option("--username", flags->username, "login name")->required();
  add->add_option("--name", flags->name, "the person's name")->required();
  add->add_option("--region", flags->region, "home region code, e.g. 431128")->required();
  add->add_option("--department", flags->department, "department code");
  add->add_option("--phone", flags->phone, "mobile number");
  add->add_option("--role", flags->roles,
                  "ROLE or ROLE@REGION (region code or *; default: the account's region)")
      ->required();
  add->callback([flags, &ctx] {
    auto config = BuildConfig(flags->db);
    if (!config.ok()) {
      ctx.exit_code = Fail(config.error());
      return;
    }
    auto a = app::App::Create(*config);
    if (!a.ok()) {
      ctx.exit_code = Fail(a.error());
      return;
    }
    std::vector<people::GrantRequest> grants;
    for (const std::string& r : flags->roles) {
      const size_t at = r.find('@');
      people::GrantRequest g;
      g.role = r.substr(0, at);
      g.scope.region = at == std::string::npos ? flags->region : r.substr(at + 1);
      grants.push_back(std::move(g));
    }
    auto account = (*a)->people().BootstrapStaffAccount({.username = flags->username,
                                                         .name = flags->name,
                                                         .password = ReadSecretLine(),
                                                         .region = flags->region,
                                                         .department = flags->department,
                                                         .phone = flags->phone},
                                                        std::move(grants));
    if (!account.ok()) {
      ctx.exit_code = Fail(account.error());
      return;
    }
    std::printf("%s\n", account->id.c_str());
  });

  auto* hash = people->add_subcommand(
      "hash-password", "print the Argon2id hash (INTERACTIVE limits) of the password on stdin");
  hash->callback([&ctx] {
    auto h = people::HashPassword(ReadSecretLine(), people::PasswordOptions::Interactive());
    if (!h.ok()) {
      ctx.exit_code = Fail(h.error());
      return;
    }
    std::printf("%s\n", h->c_str());
  });
}

}  // namespace tongban::cli
