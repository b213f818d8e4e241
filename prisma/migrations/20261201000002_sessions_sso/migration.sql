-- Revocable sessions, single sign-on binding (issuer + subject) and login slow-down.

-- AlterTable
ALTER TABLE "User" ADD COLUMN "ssoIssuer" TEXT,
ADD COLUMN "ssoSubject" TEXT;

-- AlterTable
ALTER TABLE "LoginThrottle" ADD COLUMN "nextAttemptAt" TIMESTAMPTZ(3);

-- The old keys ("email:…", "ip:direct") are no longer read; drop them, and with them any
-- lock-out of everyone that the shared "direct" key caused.
DELETE FROM "LoginThrottle";

-- CreateTable
CREATE TABLE "Session" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "method" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "revokedAt" TIMESTAMPTZ(3),
    "idToken" TEXT,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "User_ssoIssuer_ssoSubject_key" ON "User"("ssoIssuer", "ssoSubject");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
