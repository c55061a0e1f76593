export * from './revocation-view';
export * from './access-token-verifier';
