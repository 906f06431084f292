// Internal to src/cases: storage helpers shared by fees.cc, notices.cc and delivery.cc. Each
// takes the query text (Impl::Q) so that it needs nothing private of CaseService.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>

#include "cases/fulfilment.h"

namespace tongban::cases {

inline constexpr int kDeliveryDays = 10;  // 第44条: working days from the decision

// The payment order of a case, if it has one (query: select_payment_of_case).
std::optional<Payment> LoadPayment(soci::session& sql, const std::string& query,
                                   const std::string& case_id);
// The delivery step of a case, if it was decided (query: select_delivery).
std::optional<Delivery> LoadDelivery(soci::session& sql, const std::string& query,
                                     const std::string& case_id, const std::string& number);
// "12.50 元".
std::string Yuan(int64_t fen);

}  // namespace tongban::cases
