// The exchange: receiving (checks, idempotent inbox, in-order apply, hub relay) and delivering
// (outbox, retries with backoff, dead letters).
#include "xregion/service_impl.h"

namespace tongban::xregion {

// ---- the exchange ----

Result<ReceiveOutcome> Service::Impl::ReceiveIn(soci::session& sql, const Identity& self,
                                                const Wire& wire, const std::string& text,
                                                std::optional<Error>& refusal) {
  const Envelope& e = wire.signed_envelope.envelope;
  auto refuse = [&](Refusal r, std::string detail) -> Error {
    refusal = RefusalError(r, std::move(detail));
    return *refusal;
  };
  std::optional<Partner> sender = PartnerIn(sql, e.sender);
  if (!sender) return refuse(Refusal::kUnknownSender, fmt::format("{} is no partner", e.sender));
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key sender_key, KeyOf(sender->public_key));
  TB_ASSIGN_OR_RETURN(bool valid, VerifySignature(wire.signed_envelope, sender_key));
  if (!valid) {
    return refuse(Refusal::kAltered, "the signature does not verify against the sender's key");
  }
  crypto::Sm2Key hop_key = sender_key;
  if (wire.hop.by != e.sender) {
    std::optional<Partner> hub = PartnerIn(sql, wire.hop.by);
    if (!hub || !hub->hub) {
      return refuse(Refusal::kUnknownSender, fmt::format("{} is no hub partner", wire.hop.by));
    }
    TB_ASSIGN_OR_RETURN(hop_key, KeyOf(hub->public_key));
  }
  TB_ASSIGN_OR_RETURN(bool hop_valid, VerifyHop(wire.signed_envelope, wire.hop, hop_key));
  if (!hop_valid) return refuse(Refusal::kAltered, "the hop stamp's signature does not verify");
  const int64_t now = NowMs();
  if (wire.hop.at_ms < now - options.skew_tolerance_ms ||
      wire.hop.at_ms > now + options.skew_tolerance_ms) {
    return refuse(Refusal::kStale,
                  fmt::format("posted {} s from this installation's clock (tolerance ±{} s)",
                              (wire.hop.at_ms - now) / 1000, options.skew_tolerance_ms / 1000));
  }
  TB_ASSIGN_OR_RETURN(std::string digest, Digest(wire.signed_envelope));
  ReceiveOutcome out{.status = ReceiveStatus::kStored, .message_id = e.message_id, .applied = 0};
  if (e.receiver != self.region) {
    if (!self.hub) {
      return refuse(Refusal::kNotReceiver,
                    fmt::format("addressed to {}, and this installation is no hub", e.receiver));
    }
    int known = 0;
    store::Execute(sql, Q("count_outbox_id"), soci::use(e.message_id, "message_id"),
                   soci::into(known));
    out.status = known > 0 ? ReceiveStatus::kDuplicate : ReceiveStatus::kRelayed;
    if (known > 0) return out;
    std::optional<Partner> receiver = PartnerIn(sql, e.receiver);
    if (!receiver) {
      return refuse(Refusal::kNotReceiver, fmt::format("no route to {}", e.receiver));
    }
    long long ordinal = AppendLog(sql, "relay", e.message_id, e.receiver, digest);
    std::string stored = SignedText(wire.signed_envelope);
    std::string next_hop = receiver->via.empty() ? e.receiver : receiver->via;
    int relayed = 1;
    long long at = now;
    store::Execute(sql, Q("insert_outbox"), soci::use(e.message_id, "message_id"),
                   soci::use(ordinal, "ordinal"), soci::use(e.receiver, "receiver"),
                   soci::use(next_hop, "next_hop"), soci::use(e.case_ref, "case_ref"),
                   soci::use(e.kind, "kind"), soci::use(stored, "wire"),
                   soci::use(relayed, "relayed"), soci::use(at, "next_attempt_at"),
                   soci::use(at, "created_at"));
    return out;
  }
  int known = 0;
  store::Execute(sql, Q("count_inbox_id"), soci::use(e.message_id, "message_id"),
                 soci::into(known));
  if (known > 0) {
    out.status = ReceiveStatus::kDuplicate;
    return out;
  }
  long long sequence = e.sequence;
  int used = 0;
  store::Execute(sql, Q("count_inbox_sequence"), soci::use(e.sender, "sender"),
                 soci::use(sequence, "sequence"), soci::into(used));
  long long applied_to = 0;
  store::Execute(sql, Q("select_applied"), soci::use(e.sender, "sender"), soci::into(applied_to));
  if (used > 0 || sequence <= applied_to) {
    return refuse(Refusal::kReplayed,
                  fmt::format("sequence {} of {} was used by another message", sequence, e.sender));
  }
  AppendLog(sql, "in", e.message_id, e.sender, digest);
  std::string stored = SignedText(wire.signed_envelope);
  long long received = now;
  store::Execute(sql, Q("insert_inbox"), soci::use(e.message_id, "message_id"),
                 soci::use(e.sender, "sender"), soci::use(sequence, "sequence"),
                 soci::use(e.case_ref, "case_ref"), soci::use(e.kind, "kind"),
                 soci::use(stored, "wire"), soci::use(received, "received_at"));
  (void)text;
  // Apply every message of this sender that is now next in sequence.
  for (;;) {
    long long next = applied_to + 1;
    std::string id, next_wire;
    store::Execute(sql, Q("select_inbox_at"), soci::use(e.sender, "sender"),
                   soci::use(next, "sequence"), soci::into(id), soci::into(next_wire));
    if (!sql.got_data()) break;
    TB_ASSIGN_OR_RETURN(SignedEnvelope s, ParseSigned(next_wire));
    Status applied = Apply(sql, self, s);
    std::string problem;
    if (!applied.ok()) {
      if (applied.error().code() == ErrorCode::kStorage) return std::move(applied).error();
      problem = applied.error().ToString();
      spdlog::warn("xregion: message {} from {} not applied: {}", id, e.sender, problem);
    }
    long long at = NowMs();
    store::Execute(sql, Q("mark_applied"), soci::use(at, "now"), soci::use(problem, "apply_error"),
                   soci::use(id, "message_id"));
    applied_to = next;
    store::Execute(sql, Q("upsert_applied"), soci::use(e.sender, "sender"),
                   soci::use(applied_to, "last_sequence"));
    ++out.applied;
  }
  return out;
}

Result<ReceiveOutcome> Service::Receive(std::string_view text) {
  Impl& I = *impl_;
  auto wire = ParseWire(text);
  if (!wire.ok()) {
    I.TraceRefusal(wire.error(), "", "");
    return std::move(wire).error();
  }
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  std::optional<Error> refusal;
  const std::string body(text);
  auto out = I.db.Transaction<ReceiveOutcome>(store::TxKind::kWrite,
                                              [&](soci::session& sql) -> Result<ReceiveOutcome> {
                                                refusal.reset();
                                                return I.ReceiveIn(sql, self, *wire, body, refusal);
                                              });
  if (refusal) {
    I.TraceRefusal(*refusal, wire->signed_envelope.envelope.sender,
                   wire->signed_envelope.envelope.message_id);
  }
  if (out.ok() && out->applied > 0 && I.options.on_received) I.options.on_received();
  return out;
}

Result<DeliveryRound> Service::DeliverDue(Transport& transport) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  struct Due {
    std::string id, hop, wire;
    int attempts = 0;
  };
  struct Work {
    std::vector<Due> due;
    std::map<std::string, std::string> urls;
  };
  const long long now = I.NowMs();
  TB_ASSIGN_OR_RETURN(
      Work work, I.db.Transaction<Work>(store::TxKind::kRead, [&](soci::session& sql) {
        Work w;
        Due d;
        store::ExecuteRows(
            sql, I.Q("select_due"), [&] { w.due.push_back(d); }, soci::use(now, "now"),
            soci::into(d.id), soci::into(d.hop), soci::into(d.wire), soci::into(d.attempts));
        for (const Partner& p : I.PartnersIn(sql)) w.urls[p.region] = p.base_url;
        return Result<Work>(std::move(w));
      }));
  DeliveryRound round;
  std::set<std::string> blocked;  // hops that failed this round: later messages wait
  for (const Due& d : work.due) {
    if (blocked.contains(d.hop)) continue;
    auto url = work.urls.find(d.hop);
    std::string outcome, error;
    if (url == work.urls.end()) {
      outcome = "dead";
      error = fmt::format("no partner {} to deliver to", d.hop);
    } else {
      TB_ASSIGN_OR_RETURN(SignedEnvelope s, ParseSigned(d.wire));
      TB_ASSIGN_OR_RETURN(HopStamp hop, StampHop(s, self.region, I.NowMs(), I.key));
      PostAnswer answer =
          transport.Post(url->second, WireText({.signed_envelope = s, .hop = std::move(hop)}));
      if (answer.status >= 200 && answer.status < 300) {
        outcome = "delivered";
      } else if (answer.status >= 400 && answer.status < 500 && answer.status != 408 &&
                 answer.status != 429) {
        outcome = "dead";
        error = fmt::format("{}: {}", answer.status, answer.body.substr(0, 500));
      } else {
        outcome = "failed";
        error = answer.status == 0
                    ? std::string("no answer")
                    : fmt::format("{}: {}", answer.status, answer.body.substr(0, 500));
      }
    }
    Status marked = I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      long long at = I.NowMs();
      if (outcome == "delivered") {
        store::Execute(sql, I.Q("mark_delivered"), soci::use(at, "now"),
                       soci::use(d.id, "message_id"));
      } else if (outcome == "dead") {
        store::Execute(sql, I.Q("mark_dead"), soci::use(error, "last_error"),
                       soci::use(d.id, "message_id"));
      } else {
        const int shift = std::min(d.attempts, 20);
        long long next = at + std::min(I.options.backoff_max_ms,
                                       I.options.backoff_base_ms * (int64_t{1} << shift));
        store::Execute(sql, I.Q("mark_failed"), soci::use(next, "next_attempt_at"),
                       soci::use(error, "last_error"), soci::use(d.id, "message_id"));
      }
      return Ok();
    });
    TB_RETURN_IF_ERROR(marked);
    if (outcome == "delivered") {
      ++round.delivered;
    } else if (outcome == "dead") {
      ++round.dead;
      spdlog::warn("xregion: message {} to {} refused, kept as a dead letter: {}", d.id, d.hop,
                   error);
    } else {
      ++round.failed;
      blocked.insert(d.hop);
    }
  }
  return round;
}

Result<int64_t> Service::NextDueMs() {
  Impl& I = *impl_;
  return I.db.Transaction<int64_t>(store::TxKind::kRead, [&](soci::session& sql) {
    long long next = 0;
    store::Execute(sql, I.Q("next_due"), soci::into(next));
    return Result<int64_t>(static_cast<int64_t>(next));
  });
}

Result<std::vector<OutboxEntry>> Service::Outbox(std::string_view state, int limit) {
  Impl& I = *impl_;
  if (limit < 1 || limit > 1000) {
    return Error(ErrorCode::kInvalidArgument, "the listing is invalid",
                 {{"limit", "must be between 1 and 1000"}});
  }
  const std::string st(state);
  if (!st.empty() && st != "pending" && st != "delivered" && st != "dead") {
    return Error(ErrorCode::kInvalidArgument, "the listing is invalid",
                 {{"state", "must be pending, delivered or dead"}});
  }
  return I.db.Transaction<std::vector<OutboxEntry>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<OutboxEntry>> {
        std::vector<OutboxEntry> out;
        OutboxEntry o;
        long long next = 0, created = 0, lim = limit;
        store::ExecuteRows(
            sql, I.Q("select_outbox"),
            [&] {
              o.next_attempt_at_ms = next;
              o.created_at_ms = created;
              out.push_back(o);
            },
            soci::use(st, "state"), soci::use(st, "state2"), soci::use(lim, "limit"),
            soci::into(o.message_id), soci::into(o.receiver), soci::into(o.next_hop),
            soci::into(o.case_ref), soci::into(o.kind), soci::into(o.state), soci::into(o.attempts),
            soci::into(next), soci::into(o.last_error), soci::into(created));
        return out;
      });
}

Result<std::map<std::string, int64_t>> Service::OutboxCounts() {
  Impl& I = *impl_;
  return I.db.Transaction<std::map<std::string, int64_t>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::map<std::string, int64_t>> {
        std::map<std::string, int64_t> out = {{"pending", 0}, {"delivered", 0}, {"dead", 0}};
        std::string state;
        long long n = 0;
        store::ExecuteRows(
            sql, I.Q("count_outbox_by_state"), [&] { out[state] = n; }, soci::into(state),
            soci::into(n));
        return out;
      });
}

Status Service::Retry(std::string_view message_id) {
  Impl& I = *impl_;
  const std::string id(message_id);
  return I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    long long now = I.NowMs();
    auto done = store::Execute(sql, I.Q("retry_outbox"), soci::use(now, "now"),
                               soci::use(id, "message_id"));
    if (done.affected_rows == 0) return Error(ErrorCode::kNotFound, "no dead letter " + id);
    return Ok();
  });
}

}  // namespace tongban::xregion
