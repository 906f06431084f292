#include "app/demo_sources.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "base/id_number.h"
#include "people/demo.h"
#include "people/repository.h"

namespace tongban::app {
namespace {

constexpr char kCitizen[] = "432930195507020150";  // 周德华, level-2 physical disability, 低保
constexpr char kDisabilityCard[] = "13431128MB170873XW200199001000001";  // 残疾人证 新办/换领
constexpr char kTwoSubsidies[] = "11431128MB17048517050103021000001";    // 残疾人两项补贴
constexpr char kMinimumLiving[] = "11431128MB17048517050103001000001";  // 最低生活保障
constexpr char kHomestead[] = "11431128MB17939117000109001000001";  // 农村村民宅基地审批, 金陵镇
constexpr char kVillager[] =
    "43112819300219001X";  // 黄丽, of 龙珠村 (431128101200) in the register
constexpr char kPhoto[] = "\x89PNG\r\n\x1a\n demo photo 周德华";

// The demo enterprises' business licences (营业执照), from their county's 市场监管局: their forms
// take the address from it (表单自动填充) and their applications fetch it (调用). Name and legal
// representative come from data/demo/people.yaml.
struct BusinessLicence {
  const char* uscc;
  const char* issuer;
  const char* established;
  const char* address;
  const char* scope;
};
constexpr BusinessLicence kBusinessLicences[] = {
    {"91431128MA4L0A019K", "431128-scjgj", "2018-05-04", "新田县龙泉镇富硒大道8号", "农产品销售"},
    {"91430181MA4M1B0268", "430181-scjgj", "2016-09-12", "浏阳市集里街道花炮大道18号",
     "道路货物运输；仓储服务"},
    {"91430423MA4N2C0331", "430423-scjgj", "2019-03-21", "衡山县开云镇祝融路66号",
     "旅游咨询；住宿服务；餐饮服务"},
    {"91430204MA4P3D041J", "430204-scjgj", "2012-07-30", "株洲市石峰区田心街道机车路1号",
     "轨道交通装备制造、维修"},
    {"91430603MA4Q4E0594", "430603-scjgj", "2020-11-18", "岳阳市云溪区云溪街道长炼路9号",
     "新材料技术研发；化工产品销售"},
};

Status IssueBusinessLicences(licences::LicenceService& licences) {
  const YAML::Node root = YAML::Load(std::string(people::DemoPeopleYaml()));
  std::map<std::string, std::string> names;
  for (const auto& c : root["citizens"]) {
    names[c["id_number"].as<std::string>()] = c["name"].as<std::string>();
  }
  for (const auto& e : root["enterprises"]) {
    const std::string uscc = e["uscc"].as<std::string>();
    const BusinessLicence* b = nullptr;
    for (const auto& l : kBusinessLicences) {
      if (uscc == l.uscc) b = &l;
    }
    if (b == nullptr) continue;
    const std::string name = e["name"].as<std::string>();
    TB_ASSIGN_OR_RETURN(
        licences::Licence issued,
        licences.Issue(
            {.type_code = "11100000000013338W011",
             .holder_id = uscc,
             .holder_name = name,
             .issuer = b->issuer,
             .data = {{"name", name},
                      {"kind", "有限责任公司"},
                      {"legal_representative", names[e["legal_representative"].as<std::string>()]},
                      {"established", b->established},
                      {"address", b->address},
                      {"scope", b->scope}},
             .valid_from = std::nullopt,
             .case_id = "",
             .actor = "demo"}));
    (void)issued;
  }
  return Ok();
}

// 极简审批 at the kiosk (公共场所卫生许可, 秒批): what 新田县富硒农产品有限公司's application
// fetches instead of paper, each from its issuer — the premises' 不动产权证书, the staff's
// health certificates, and its legal representative 邓桂英's 居民身份证 (hers to lend when she
// applies herself). Without them the kiosk's application waits for a clerk.
Status IssueKioskLicences(licences::LicenceService& licences) {
  constexpr char kEnterprise[] = "91431128MA4L0A019K";
  constexpr char kName[] = "新田县富硒农产品有限公司";
  constexpr char kRepresentative[] = "431128196803150214";
  TB_ASSIGN_OR_RETURN(IdNumberInfo id, ParseIdNumber(kRepresentative));
  const auto issue = [&](licences::IssueRequest r) -> Status {
    TB_ASSIGN_OR_RETURN(licences::Licence issued, licences.Issue(std::move(r)));
    (void)issued;
    return Ok();
  };
  TB_RETURN_IF_ERROR(
      issue({.type_code = "11100000000013338W019",
             .holder_id = kRepresentative,
             .holder_name = "邓桂英",
             .issuer = "431128-gaj",
             .data = {{"name", "邓桂英"},
                      {"sex", id.sex == Sex::kFemale ? "女" : "男"},
                      {"birth_date",
                       fmt::format("{:04}-{:02}-{:02}", int(id.birth_date.year()),
                                   unsigned(id.birth_date.month()), unsigned(id.birth_date.day()))},
                      {"address", "湖南省新田县龙泉镇富硒大道12号"}},
             .valid_from = std::nullopt,
             .case_id = "",
             .actor = "demo"}));
  TB_RETURN_IF_ERROR(issue({.type_code = "11100000000013338W020",
                            .holder_id = kEnterprise,
                            .holder_name = kName,
                            .issuer = "431128-zrzyj",
                            .data = {{"owner", kName},
                                     {"location", "新田县龙泉镇富硒大道8号"},
                                     {"right_type", "国有建设用地使用权/房屋所有权"},
                                     {"usage", "商业服务"},
                                     {"area_m2", 320.5}},
                            .valid_from = std::nullopt,
                            .case_id = "",
                            .actor = "demo"}));
  return issue({.type_code = "11100000000013338W021",
                .holder_id = kEnterprise,
                .holder_name = kName,
                .issuer = "431128-wjj",
                .data = {{"unit", kName}, {"staff_count", 6}, {"checked_on", "2026-10-12"}},
                .valid_from = std::nullopt,
                .case_id = "",
                .actor = "demo"});
}

Result<people::Principal> Account(store::Database& db, const std::string& username,
                                  const std::string& id_number) {
  TB_ASSIGN_OR_RETURN(people::PeopleRepository repo,
                      people::PeopleRepository::Create(db.backend()));
  return db.Transaction<people::Principal>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<people::Principal> {
        auto account = username.empty() ? repo.FindAccountByIdNumber(sql, id_number)
                                        : repo.FindAccountByUsername(sql, username);
        if (!account) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("demo account {}{} is missing", username, id_number));
        }
        people::Principal p;
        p.account = std::move(account->account);
        p.grants = repo.ListHeldGrants(sql, p.account.id);
        p.agencies = repo.ListAgencies(sql, p.account.id);
        return p;
      });
}

}  // namespace

Result<DemoSources> LoadDemoSources(store::Database& db, cases::CaseService& cases,
                                    sources::SourceService& sources,
                                    licences::LicenceService& licences) {
  DemoSources out;
  TB_ASSIGN_OR_RETURN(sources::SourceReport done, sources.Report({}));
  if (done.total.cases > 0) return out;
  TB_RETURN_IF_ERROR(IssueBusinessLicences(licences));
  TB_RETURN_IF_ERROR(IssueKioskLicences(licences));
  TB_ASSIGN_OR_RETURN(people::Principal citizen, Account(db, "", kCitizen));
  TB_ASSIGN_OR_RETURN(people::Principal issuer, Account(db, "xintian.certificate_issuer", ""));
  // His disability certificate as an e-licence, issued by the county's 残联.
  TB_ASSIGN_OR_RETURN(licences::Licence card,
                      licences.Issue({.type_code = "11100000000013338W014",
                                      .holder_id = kCitizen,
                                      .holder_name = citizen.account.name,
                                      .issuer = "431128-cl",
                                      .data = {{"category", "肢体"}, {"level", 2}, {"sex", "男"}},
                                      .valid_from = std::nullopt,
                                      .case_id = "",
                                      .actor = "demo"}));
  (void)card;
  auto submit = [&](const std::string& matter, const std::string& scenario,
                    std::map<std::string, std::string> form,
                    std::vector<std::string> authorised) -> Result<cases::Case> {
    cases::SubmitRequest r{.matter = matter, .scenario = scenario, .form = std::move(form)};
    r.authorised_licences = std::move(authorised);
    TB_ASSIGN_OR_RETURN(cases::SubmitResult s, cases.Submit(citizen, r));
    ++out.cases;
    return s.record;
  };
  // 1. 残疾人证 新办 without 授权用证: he uploads his photo (the library keeps it).
  TB_ASSIGN_OR_RETURN(
      cases::Case first,
      submit(kDisabilityCard, "new", {{"disability_category", "肢体"}, {"by_agent", "false"}}, {}));
  for (const cases::CaseMaterial& m : first.materials) {
    if (m.name != "近期免冠彩色照片") continue;
    TB_ASSIGN_OR_RETURN(
        cases::Case c,
        cases.SupplyMaterial(citizen, first.number, m.index, cases::MaterialOrigin::kUploaded,
                             std::string_view(kPhoto, sizeof(kPhoto) - 1), "photo.png", ""));
    (void)c;
  }
  // 2. 换领 with 授权用证: the certificate fetched, the photo reused.
  TB_ASSIGN_OR_RETURN(
      cases::Case renewal,
      submit(kDisabilityCard, "renewal",
             {{"card_no", std::string(kCitizen) + "42"}, {"reason", "有效期满"}}, {"*"}));
  (void)renewal;
  // 3. 两项补贴, twice: the certificate fetched, the 低保 certificate requested from the 民政局;
  // the first request is answered with a sealed e-certificate, the second waits in the inbox.
  const std::map<std::string, std::string> subsidy = {
      {"disability_card_no", std::string(kCitizen) + "42"},
      {"disability_level", "二级"},
      {"disability_category", "肢体"},
      {"subsidy_type", "两项补贴"},
      {"bank_account", "6217000000000000000"},
      {"by_agent", "false"},
      {"contact_phone", "13800000002"}};
  TB_ASSIGN_OR_RETURN(cases::Case subsidy_case, submit(kTwoSubsidies, "apply", subsidy, {"*"}));
  // Submitted before the first request is answered (after it, the e-certificate would be fetched).
  TB_ASSIGN_OR_RETURN(cases::Case waiting, submit(kTwoSubsidies, "apply", subsidy, {"*"}));
  (void)waiting;
  TB_ASSIGN_OR_RETURN(sources::CaseSources recorded, sources.Get(citizen, subsidy_case.number));
  for (const sources::CertificateRequest& r : recorded.requests) {
    TB_ASSIGN_OR_RETURN(sources::CertificateRequest answered,
                        sources.Answer(issuer, r.id,
                                       {{"household_head", citizen.account.name},
                                        {"since", "2024-03-01"},
                                        {"family_size", 2}}));
    (void)answered;
  }
  // 4. 最低生活保障: the income commitment (告知承诺) instead of proof.
  TB_ASSIGN_OR_RETURN(
      cases::Case living,
      submit(kMinimumLiving, "apply",
             {{"household_size", "2"}, {"has_disabled_member", "true"}, {"by_agent", "false"}},
             {"*"}));
  (void)living;
  // 5. 宅基地 at the window for a villager of 龙珠村: the membership certificate (农村集体经济组织
  // 成员身份证明) is requested from his village committee and waits in its inbox.
  TB_ASSIGN_OR_RETURN(people::Principal clerk, Account(db, "xintian.window_clerk", ""));
  cases::SubmitRequest homestead{.matter = kHomestead,
                                 .scenario = "new",
                                 .channel = cases::Channel::kWindow,
                                 .applicant_code = kVillager,
                                 .applicant_name = "黄丽",
                                 .form = {{"household_size", "3"},
                                          {"site_area_m2", "120"},
                                          {"site_location", "龙珠村2组"},
                                          {"reason", "分户新建"}}};
  TB_ASSIGN_OR_RETURN(cases::SubmitResult village, cases.Submit(clerk, homestead));
  (void)village;
  ++out.cases;
  return out;
}

}  // namespace tongban::app
