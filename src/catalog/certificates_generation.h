// How many imports have committed in this process (through any CatalogService): imports are the
// only writes of the certificate list, so a cache of the list (the material sources read it per
// submission) keeps what it loaded while this count stays where it was when it loaded.
#pragma once

#include <cstdint>

namespace tongban::catalog {

uint64_t CertificatesGeneration();

}  // namespace tongban::catalog
