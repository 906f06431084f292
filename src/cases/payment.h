// Paying a case's fees and mailing its result, each through an adapter. Installations plug in
// their payment platform (统一公共支付平台) behind PaymentGateway and their postal service (EMS)
// behind PostalGateway; the simulators below are what the demo and the tests use.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban::cases {

// What a payment platform reports about one payment order.
struct PaymentNotification {
  std::string payment_id{};      // tongban's payment order id
  bool paid = false;             // false: the payment failed
  int64_t amount_fen = 0;        // what was paid
  std::string transaction_id{};  // the platform's reference
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  // Checks that a callback's body came from the platform (its signature or shared-secret MAC)
  // and parses it. kUnauthenticated when the signature does not match; kInvalidArgument when
  // the body is not a notification. Never trusts a body it could not verify.
  virtual Result<PaymentNotification> Verify(std::string_view body,
                                             std::string_view signature) const = 0;
};

// A callback as the platform would send it: the body and its signature header.
struct PaymentCallback {
  std::string body{};
  std::string signature{};
};

// The simulated platform: notifications are JSON signed with HMAC-SM3 under a shared secret
// (lower-case hex). Pay and Fail build the callback the platform would send.
class SimulatedPaymentGateway : public PaymentGateway {
 public:
  explicit SimulatedPaymentGateway(std::string secret) : secret_(std::move(secret)) {}

  Result<PaymentNotification> Verify(std::string_view body,
                                     std::string_view signature) const override;
  PaymentCallback Pay(std::string_view payment_id, int64_t amount_fen) const;
  PaymentCallback Fail(std::string_view payment_id) const;
  // The signature of `body` under the shared secret.
  std::string Sign(std::string_view body) const;

 private:
  std::string secret_;
};

// A parcel handed to the postal service: the result mailed free of charge (第44条).
struct Shipment {
  std::string case_number{};
  std::string recipient{};
  std::string address{};
  std::string phone{};
};

class PostalGateway {
 public:
  virtual ~PostalGateway() = default;
  // Books the parcel and returns its tracking number. kUnavailable when the service cannot
  // take it now. Booking the same case twice returns the first tracking number.
  virtual Result<std::string> Ship(const Shipment& shipment) = 0;
};

// Books nothing: tracking numbers "SIM" + a sequence, one per case number. Thread-safe.
class SimulatedPostalGateway : public PostalGateway {
 public:
  Result<std::string> Ship(const Shipment& shipment) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::string> booked_{};
};

}  // namespace tongban::cases
