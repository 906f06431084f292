#include "devices/id_card_reader.h"

#include <fmt/format.h>

#include "base/region.h"

namespace tongban::devices {

void SimulatedIdCardReader::Place(std::string terminal, IdCard card) {
  std::lock_guard lock(mu_);
  cards_[std::move(terminal)] = std::move(card);
}

void SimulatedIdCardReader::Remove(std::string_view terminal) {
  std::lock_guard lock(mu_);
  if (auto it = cards_.find(terminal); it != cards_.end()) cards_.erase(it);
}

void SimulatedIdCardReader::SetFault(std::string terminal, Fault fault) {
  std::lock_guard lock(mu_);
  faults_[std::move(terminal)] = fault;
}

Result<IdCard> SimulatedIdCardReader::Read(std::string_view terminal) {
  std::lock_guard lock(mu_);
  auto fault = faults_.find(terminal);
  if (fault != faults_.end() && fault->second == Fault::kReaderOffline) {
    return Error(ErrorCode::kUnavailable,
                 fmt::format("终端 {} 的身份证阅读器无响应，请联系工作人员", terminal));
  }
  auto it = cards_.find(terminal);
  if (it == cards_.end()) {
    return Error(ErrorCode::kNotFound, "未检测到身份证，请将身份证放在阅读区");
  }
  if (fault != faults_.end() && fault->second == Fault::kUnreadable) {
    return Error(ErrorCode::kUnavailable, "身份证读取失败，请重新放置或更换证件");
  }
  return it->second;
}

IdCard CardFor(std::string id_number, std::string name, Sex sex, Date birth_date,
               std::string address) {
  IdCard c;
  std::string county = id_number.substr(0, 6);
  auto region = LookupRegion(county);
  c.issuer = region.ok() ? region->name + "公安局" : "公安局";
  c.id_number = std::move(id_number);
  c.name = std::move(name);
  c.sex = sex;
  c.ethnicity = "汉";
  c.birth_date = birth_date;
  c.address = std::move(address);
  const CivilDate b = birth_date.civil();
  c.valid_from =
      fmt::format("{:04d}-{:02d}-{:02d}", b.year + 18, b.month, b.day == 29 ? 28 : b.day);
  c.valid_until = b.year + 38 < 2026 ? std::string("长期")
                                     : fmt::format("{:04d}-{:02d}-{:02d}", b.year + 38, b.month,
                                                   b.day == 29 ? 28 : b.day);
  c.photo =
      "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='102' "
      "height='126'><rect width='102' height='126' fill='%23dde'/></svg>";
  return c;
}

}  // namespace tongban::devices
