// Registration of every target built into dlc; tools call it once before they look a target up.
// A new target adds one line to AllTargets.cpp, and nothing else outside its folder changes.
#ifndef DLC_TARGETS_ALLTARGETS_H
#define DLC_TARGETS_ALLTARGETS_H

namespace dlc::targets {

/// Registers every built-in target and the passes of each; safe to call more than once.
void registerAllTargets();

} // namespace dlc::targets

#endif
