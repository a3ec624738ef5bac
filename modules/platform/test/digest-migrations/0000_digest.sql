CREATE SCHEMA IF NOT EXISTS "digest";
--> statement-breakpoint
CREATE TABLE "digest"."digests" (
	"note_id" uuid PRIMARY KEY NOT NULL,
	"text" text NOT NULL
);
