CREATE SCHEMA IF NOT EXISTS "tally";
--> statement-breakpoint
CREATE TABLE "tally"."seen" (
	"note_id" uuid PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"lag_ms" integer NOT NULL
);
