// Writes the C header of a compiled model (the artifact contract in docs/artifact-contract.md).
// Tensor names become C identifiers for the typed wrapper's parameters.
#ifndef DLC_TARGETS_COMMON_HEADERWRITER_H
#define DLC_TARGETS_COMMON_HEADERWRITER_H

#include "targets/Common/Artifact.h"

#include <string>

namespace dlc::targets {

/// The text of NAME.h for `signature`, with the target's `extras` (declarations ending in a
/// newline, or nothing) after the contract's own.
std::string writeHeader(const ModelSignature &signature, const std::string &extras = "");

/// `text` made a valid C identifier: other characters become '_', a leading digit or a C keyword
/// gets a '_' prefix; an empty string becomes `fallback`.
std::string makeCIdentifier(const std::string &text, const std::string &fallback);

} // namespace dlc::targets

#endif
