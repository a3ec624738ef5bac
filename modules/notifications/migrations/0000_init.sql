CREATE SCHEMA IF NOT EXISTS "notifications";
--> statement-breakpoint
CREATE TABLE "notifications"."notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"recipient" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"order_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notifications_kind_check" CHECK ("notifications"."notifications"."kind" in ('welcome', 'order-confirmed', 'order-failed', 'order-cancelled'))
);
--> statement-breakpoint
CREATE INDEX "notifications_user_id_created_at_idx" ON "notifications"."notifications" USING btree ("user_id","created_at");