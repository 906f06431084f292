#include "cases/payment.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crypto/sm3.h"
#include "crypto/sm4.h"

namespace tongban::cases {

namespace {

bool EqualInConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

std::string SimulatedPaymentGateway::Sign(std::string_view body) const {
  return crypto::ToHex(crypto::HmacSm3(secret_, body));
}

Result<PaymentNotification> SimulatedPaymentGateway::Verify(std::string_view body,
                                                            std::string_view signature) const {
  if (!EqualInConstantTime(Sign(body), signature)) {
    return Error(ErrorCode::kUnauthenticated, "the payment notification's signature is invalid");
  }
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("payment_id") ||
      !j["payment_id"].is_string() || !j.contains("status") || !j["status"].is_string()) {
    return Error(ErrorCode::kInvalidArgument, "the payment notification is not valid JSON",
                 {{"body", "needs payment_id and status"}});
  }
  PaymentNotification n;
  n.payment_id = j["payment_id"].get<std::string>();
  n.paid = j["status"].get<std::string>() == "paid";
  if (j.contains("amount_fen") && j["amount_fen"].is_number_integer()) {
    n.amount_fen = j["amount_fen"].get<int64_t>();
  }
  if (j.contains("transaction_id") && j["transaction_id"].is_string()) {
    n.transaction_id = j["transaction_id"].get<std::string>();
  }
  return n;
}

PaymentCallback SimulatedPaymentGateway::Pay(std::string_view payment_id,
                                             int64_t amount_fen) const {
  nlohmann::json j = {{"payment_id", payment_id},
                      {"status", "paid"},
                      {"amount_fen", amount_fen},
                      {"transaction_id", fmt::format("SIMPAY-{}", payment_id)}};
  PaymentCallback c{.body = j.dump(), .signature = ""};
  c.signature = Sign(c.body);
  return c;
}

PaymentCallback SimulatedPaymentGateway::Fail(std::string_view payment_id) const {
  nlohmann::json j = {{"payment_id", payment_id}, {"status", "failed"}};
  PaymentCallback c{.body = j.dump(), .signature = ""};
  c.signature = Sign(c.body);
  return c;
}

Result<std::string> SimulatedPostalGateway::Ship(const Shipment& shipment) {
  if (shipment.address.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the parcel has no address",
                 {{"address", "is required"}});
  }
  std::lock_guard lock(mu_);
  auto it = booked_.find(shipment.case_number);
  if (it != booked_.end()) return it->second;
  std::string tracking = fmt::format("SIM{:010d}", booked_.size() + 1);
  booked_.emplace(shipment.case_number, tracking);
  return tracking;
}

}  // namespace tongban::cases
