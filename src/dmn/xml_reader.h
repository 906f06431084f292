// Reads DMN 1.1–1.5 XML into the model (model.h). Elements are recognised by namespace URI and
// local name, so any prefix works (`<semantic:decision>`, `<dmn:decision>`, default namespace);
// elements of other namespaces (diagrams, vendor extensions) are ignored.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dmn/model.h"

namespace tongban::dmn {

// Reads one DMN document. `source` names it in messages. Errors name the element and its id
// ("decision 'Approval' (_3b29…): decisionTable rule 2 has 2 input entries, the table 3
// inputs"). Type references are normalised: a FEEL or DMN namespace prefix (`feel:number`) is
// dropped, and a prefix bound to an imported namespace becomes the import's name
// (`ns1:tPerson` → `myimport.tPerson`). Never throws.
Result<Definitions> ParseDmnXml(std::string_view text, std::string_view source);

// A DMN model with the models it imports, directly or not. `models[0]` is the one loaded.
struct ModelSet {
  std::vector<std::shared_ptr<const Definitions>> models;

  const Definitions& main() const { return *models.front(); }
  // The model whose namespace is `namespace_uri`, or null.
  const Definitions* FindByNamespace(std::string_view namespace_uri) const;
};

// Reads the DMN file at `path` and every DMN model it imports, found by `locationURI` relative
// to the file's folder, or else as the `.dmn` file in that folder whose namespace is the
// import's. An import that cannot be found is an error naming it.
Result<ModelSet> LoadDmnFile(const std::string& path);

// Reads `path` whole; an error names the file.
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace tongban::dmn
