// The sandbox ships with the library's testing entry point, so consumers can
// start it from their own e2e tests; this app only runs it on its own.
export * from '@app/phone-verification/testing';
