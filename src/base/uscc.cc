// GB 32100-2015: department (1), type (2), registering region (3-8), GB 11714 organisation code
// (9-17, its own check at 17), check character (18) over the 31-symbol alphabet with weights
// 3^i mod 31.
#include "base/uscc.h"

#include <fmt/format.h>

#include <array>

#include "base/code_text.h"
#include "base/region.h"
#include "base/utf8.h"

namespace tongban {
namespace {

using code_text::At;
using code_text::IsDigit;

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
constexpr std::array<int, 8> kOrganizationWeights = {3, 7, 9, 10, 5, 8, 4, 2};

struct Type {
  char code;
  std::string_view name;
};
struct Department {
  char code;
  std::string_view name;
  std::array<Type, 6> types;  // unused slots have code '\0'
};

// GB 32100-2015 表 1 with amendment No. 1 (2016), which added 2 外交 … N 农业 to the original
// 1 机构编制, 5 民政, 9 工商 and Y 其他. As published at https://osuse.cn/post/10002590.html and
// http://ddrv.cn/?p=726373 (the same text): 6 旅游 and 7 宗教 have 9 其他; 7 宗教 has no type 3.
constexpr std::array<Department, 12> kDepartments = {{
    {'1',
     "机构编制",
     {{{'1', "机关"},
       {'2', "事业单位"},
       {'3', "中央编办直接管理机构编制的群众团体"},
       {'9', "其他"}}}},
    {'2', "外交", {{{'1', "外国常住新闻机构"}, {'9', "其他"}}}},
    {'3',
     "司法行政",
     {{{'1', "律师执业机构"},
       {'2', "公证处"},
       {'3', "基层法律服务所"},
       {'4', "司法鉴定机构"},
       {'5', "仲裁委员会"},
       {'9', "其他"}}}},
    {'4', "文化", {{{'1', "外国在华文化中心"}, {'9', "其他"}}}},
    {'5', "民政", {{{'1', "社会团体"}, {'2', "民办非企业单位"}, {'3', "基金会"}, {'9', "其他"}}}},
    {'6',
     "旅游",
     {{{'1', "外国旅游部门常驻代表机构"},
       {'2', "港澳台地区旅游部门常驻内地（大陆）代表机构"},
       {'9', "其他"}}}},
    {'7', "宗教", {{{'1', "宗教活动场所"}, {'2', "宗教院校"}, {'9', "其他"}}}},
    {'8', "工会", {{{'1', "基层工会"}, {'9', "其他"}}}},
    {'9', "工商", {{{'1', "企业"}, {'2', "个体工商户"}, {'3', "农民专业合作社"}}}},
    {'A', "中央军委改革和编制办公室", {{{'1', "军队事业单位"}, {'9', "其他"}}}},
    {'N',
     "农业",
     {{{'1', "组级集体经济组织"},
       {'2', "村级集体经济组织"},
       {'3', "乡镇级集体经济组织"},
       {'9', "其他"}}}},
    {'Y', "其他", {{{'1', "其他"}}}},
}};

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, "USCC: " + std::move(message));
}

int AlphabetValue(char c) {
  const size_t i = kAlphabet.find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

// GB 11714 values: digits as themselves, A-Z as 10-35.
int OrganizationValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

const Department* FindDepartment(char code) {
  for (const Department& d : kDepartments) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

std::string TypeList(const Department& d) {
  std::string out;
  for (const Type& t : d.types) {
    if (t.code == '\0') break;
    if (!out.empty()) out += ", ";
    out += t.code;
  }
  return out;
}

}  // namespace

char UsccCheckCharacter(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    const int v = AlphabetValue(first17[i]);
    if (v < 0) return '\0';
    sum += v * kWeights[i];
  }
  return kAlphabet[static_cast<size_t>((31 - sum % 31) % 31)];
}

char OrganizationCodeCheckCharacter(std::string_view first8) {
  if (first8.size() != 8) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    const int v = OrganizationValue(first8[i]);
    if (v < 0) return '\0';
    sum += v * kOrganizationWeights[i];
  }
  const int check = 11 - sum % 11;
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

Result<UsccInfo> ParseUscc(std::string_view text) {
  const size_t length = utf8::CodePointCount(text);
  if (length != 18) return Invalid(fmt::format("must have 18 characters, got {}", length));
  UsccInfo info;
  info.normalized.reserve(18);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = code_text::ToUpper(text[i]);
    if (AlphabetValue(c) < 0) {
      const bool excluded = c == 'I' || c == 'O' || c == 'Z' || c == 'S' || c == 'V';
      return Invalid(fmt::format("{} is not in the USCC alphabet{}", At(text, i),
                                 excluded ? " (I, O, Z, S and V are never used)" : ""));
    }
    info.normalized += c;
  }
  const std::string_view code = info.normalized;

  const Department* department = FindDepartment(code[0]);
  if (department == nullptr) {
    return Invalid(
        fmt::format("registration department {} (position 1) is not in GB 32100's "
                    "table (1-9, A, N, Y)",
                    code[0]));
  }
  const Type* type = nullptr;
  for (const Type& t : department->types) {
    if (t.code != '\0' && t.code == code[1]) type = &t;
  }
  if (type == nullptr) {
    return Invalid(
        fmt::format("institution type {} (position 2) does not exist for department "
                    "{} {}; its types are {}",
                    code[1], code[0], department->name, TypeList(*department)));
  }
  info.department = code[0];
  info.department_name = std::string(department->name);
  info.type = code[1];
  info.type_name = std::string(type->name);

  info.region_code = std::string(code.substr(2, 6));
  for (size_t i = 2; i < 8; ++i) {
    if (!IsDigit(code[i])) {
      return Invalid(
          fmt::format("{} is not a digit; positions 3-8 are a region code", At(code, i)));
    }
  }
  if (info.region_code == "100000") {
    info.region_name = "中央";
  } else if (!IsValidProvinceCode(code.substr(2, 2))) {
    return Invalid(fmt::format("region code {} (positions 3-8) has unknown province {}",
                               info.region_code, code.substr(2, 2)));
  } else if (auto region = LookupRegion(info.region_code);
             region.ok() && region->level <= RegionLevel::kCounty) {
    info.region_name = std::move(region->full_name);
  } else {
    info.warnings.push_back(fmt::format(
        "region code {} (positions 3-8) is not in the current GB/T 2260 list; USCCs are "
        "lifelong, so it may be the code of a county merged since",
        info.region_code));
  }

  info.organization_code = std::string(code.substr(8, 9));
  const char org_expected = OrganizationCodeCheckCharacter(code.substr(8, 8));
  if (code[16] != org_expected) {
    return Invalid(
        fmt::format("organisation code {} (positions 9-17): check character expected {}, got {}",
                    info.organization_code, org_expected, code[16]));
  }
  const char expected = UsccCheckCharacter(code.substr(0, 17));
  if (code[17] != expected) {
    return Invalid(fmt::format("check character expected {}, got {}", expected, code[17]));
  }
  return info;
}

Result<std::string> MakeUscc(std::string_view first16) {
  if (first16.size() != 16) {
    return Invalid(fmt::format("MakeUscc needs 16 characters, got {}", first16.size()));
  }
  std::string code(first16);
  for (char& c : code) c = code_text::ToUpper(c);
  const char org = OrganizationCodeCheckCharacter(std::string_view(code).substr(8, 8));
  if (org == '\0') return Invalid("positions 9-16 must be digits or letters");
  code += org;
  const char check = UsccCheckCharacter(code);
  if (check == '\0') return Invalid("characters outside the USCC alphabet");
  code += check;
  TB_ASSIGN_OR_RETURN(UsccInfo info, ParseUscc(code));
  return std::move(info.normalized);
}

}  // namespace tongban
