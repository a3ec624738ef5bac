CREATE TABLE "payments"."card_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"card_last4" char(4) NOT NULL,
	"decline_reason" text,
	"order_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "card_tokens_decline_reason_check" CHECK ("payments"."card_tokens"."decline_reason" is null or "payments"."card_tokens"."decline_reason" in ('card_declined', 'insufficient_funds')),
	CONSTRAINT "card_tokens_card_last4_check" CHECK ("payments"."card_tokens"."card_last4" ~ '^[0-9]{4}$')
);
