// Material files: content-addressed storage under the data directory (the SM3 of the bytes
// names the file), type sniffing from the bytes (never the file name) and the virus-scan hook.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban::cases {

// The media type the bytes are, or "" for a type tongban does not take: PDF, PNG, JPEG and OFD
// (GB/T 33190, a zip whose first entry is OFD.xml).
std::string SniffMediaType(std::string_view bytes);

enum class ScanVerdict { kClean, kInfected };

// The virus-scan hook. An installation plugs its engine in here; Scan is called before
// anything is stored. An error means the scan could not run (the upload is refused).
class VirusScanner {
 public:
  virtual ~VirusScanner() = default;
  virtual Result<ScanVerdict> Scan(std::string_view bytes) = 0;
};

// Flags the EICAR anti-virus test string anywhere in the bytes; everything else is clean.
class SimulatedVirusScanner final : public VirusScanner {
 public:
  Result<ScanVerdict> Scan(std::string_view bytes) override;
};

// Files named by the SM3 of their bytes: <dir>/<first 2 hex>/<64 hex>. Storing the same bytes
// twice keeps one file. Writes go to a temporary file renamed into place, so a reader never
// sees a partial file.
class BlobStore {
 public:
  explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}
  // Stores `bytes`; returns their SM3 hex.
  Result<std::string> Put(std::string_view bytes) const;
  // The bytes stored under `hash`; kNotFound when absent, kIntegrity when they no longer hash
  // to `hash`.
  Result<std::string> Get(std::string_view hash) const;
  std::string PathOf(std::string_view hash) const;

 private:
  std::string dir_;
};

}  // namespace tongban::cases
