// The printable rendition of a licence (window and kiosk printing): an A4 PDF drawn with cairo's
// PDF surface in Noto Serif/Sans CJK SC (embedded as font subsets; libharu cannot embed these
// CFF fonts), with the issuing department's round red seal drawn by cairo and a QR code
// (libqrencode) pointing at the public verification page. The signed JSON stays the licence;
// the PDF is only its picture.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "licences/licence_type.h"
#include "licences/service.h"

namespace tongban::licences {

// The PDF bytes. `type` labels the data fields with their descriptions; `verify_url` is what
// the QR code encodes ("https://host/verify/<id>"). kInternal when cairo fails.
Result<std::string> RenderPdf(const Licence& licence, const LicenceType& type,
                              std::string_view verify_url);

// The QR code of `text` as an SVG image (black modules on white, a quiet zone of 4 modules),
// for pages that show a licence's verification QR code. kInternal when it cannot be encoded.
Result<std::string> RenderQrSvg(std::string_view text);

}  // namespace tongban::licences
