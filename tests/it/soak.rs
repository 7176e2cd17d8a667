//! A concurrency soak against the emulator, reconciled with what the clients saw.
