/** Bump on any incompatible change of the contract: the transports refuse a client of another version at the handshake. */
export const CONTRACT_VERSION = 1;
