#pragma once

namespace backoffice::server {

/// Blocks SIGTERM and SIGINT in the calling thread. Call it first in main(), before any thread
/// starts, so every thread inherits the mask and the signals wait for WaitForTerminationSignal().
void BlockTerminationSignals();

/// Waits until SIGTERM or SIGINT arrives and returns its number.
int WaitForTerminationSignal();

}  // namespace backoffice::server
