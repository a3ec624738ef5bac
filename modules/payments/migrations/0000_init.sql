CREATE SCHEMA IF NOT EXISTS "payments";
--> statement-breakpoint
CREATE TABLE "payments"."payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"decline_reason" text,
	"card_last4" char(4) NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"refunded_at" timestamp (3) with time zone,
	CONSTRAINT "payments_order_id_unique" UNIQUE("order_id"),
	CONSTRAINT "payments_amount_check" CHECK ("payments"."payments"."amount" > 0),
	CONSTRAINT "payments_currency_check" CHECK ("payments"."payments"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "payments_status_check" CHECK ("payments"."payments"."status" in ('captured', 'declined', 'refunded')),
	CONSTRAINT "payments_decline_reason_check" CHECK (("payments"."payments"."status" = 'declined') = ("payments"."payments"."decline_reason" is not null) and ("payments"."payments"."decline_reason" is null or "payments"."payments"."decline_reason" in ('card_declined', 'insufficient_funds'))),
	CONSTRAINT "payments_refunded_at_check" CHECK (("payments"."payments"."status" = 'refunded') = ("payments"."payments"."refunded_at" is not null)),
	CONSTRAINT "payments_card_last4_check" CHECK ("payments"."payments"."card_last4" ~ '^[0-9]{4}$')
);
