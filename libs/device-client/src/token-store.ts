/** Where a device keeps its tokens between runs (secure storage on a real device). */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  /** Epoch ms when the access token expires. */
  accessExpiresAt: number;
}

export interface TokenStore {
  load(): StoredTokens | undefined;
  save(tokens: StoredTokens): void;
  clear(): void;
}

export class MemoryTokenStore implements TokenStore {
  private tokens?: StoredTokens;

  load(): StoredTokens | undefined {
    return this.tokens;
  }

  save(tokens: StoredTokens): void {
    this.tokens = tokens;
  }

  clear(): void {
    this.tokens = undefined;
  }
}
