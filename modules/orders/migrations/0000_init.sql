CREATE SCHEMA IF NOT EXISTS "orders";
--> statement-breakpoint
CREATE TABLE "orders"."idempotency_keys" (
	"user_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" text NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"order_id" uuid,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_pk" PRIMARY KEY("user_id","key"),
	CONSTRAINT "idempotency_keys_status_check" CHECK ("orders"."idempotency_keys"."status" in ('in_flight', 'completed')),
	CONSTRAINT "idempotency_keys_response_check" CHECK (("orders"."idempotency_keys"."status" = 'completed') = ("orders"."idempotency_keys"."response_status" is not null))
);
--> statement-breakpoint
CREATE TABLE "orders"."orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text NOT NULL,
	"items" jsonb NOT NULL,
	"total_amount" bigint NOT NULL,
	"total_currency" char(3) NOT NULL,
	"shipping_address" jsonb NOT NULL,
	"failure_reason" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "orders_status_check" CHECK ("orders"."orders"."status" in ('pending', 'confirmed', 'failed', 'cancelled')),
	CONSTRAINT "orders_total_amount_check" CHECK ("orders"."orders"."total_amount" >= 0),
	CONSTRAINT "orders_failure_reason_check" CHECK (("orders"."orders"."status" = 'failed') = ("orders"."orders"."failure_reason" is not null))
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_order_id_idx" ON "orders"."idempotency_keys" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_at_idx" ON "orders"."idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "orders_user_created_at_id_idx" ON "orders"."orders" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_pending_updated_at_idx" ON "orders"."orders" USING btree ("updated_at") WHERE "orders"."orders"."status" = 'pending';