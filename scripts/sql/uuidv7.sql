-- public.uuidv7(): time-ordered UUIDs (RFC 9562 version 7) for PostgreSQL before 18.
--
-- tasker-core's migrations define tasker.uuid_generate_v7() as "SELECT uuidv7()" when the
-- pg_uuidv7 extension is absent, which is the case on Debian 12's PostgreSQL 15; PostgreSQL 18
-- has uuidv7() built in. This file supplies that function. scripts/tasker-stack.sh applies it
-- (as a superuser, to the tasker database) before the migrations run. Idempotent.
--
-- Layout (128 bits, big-endian):
--   48 bits  Unix time in milliseconds
--    4 bits  version, 0111
--   12 bits  sub-millisecond fraction of the clock (RFC 9562 section 6.2, method 3), so values
--            made in one session within one millisecond still sort in creation order
--    2 bits  variant, 10
--   62 bits  random
-- The random bits and the variant come from gen_random_uuid() (core since PostgreSQL 13), whose
-- leading bytes are then overwritten.
--
-- Where the server already provides pg_catalog.uuidv7() (PostgreSQL 18+), nothing is created:
-- the built-in one is found first on every search_path anyway.

DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'pg_catalog' AND p.proname = 'uuidv7' AND p.pronargs = 0) THEN
    RAISE NOTICE 'uuidv7(): built into this server, no shim needed';
    RETURN;
  END IF;

  CREATE OR REPLACE FUNCTION public.uuidv7() RETURNS uuid
  LANGUAGE plpgsql VOLATILE PARALLEL SAFE
  AS $fn$
  DECLARE
    micros   bigint := floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
    millis   bigint := micros / 1000;
    fraction integer := ((micros % 1000) * 4096 / 1000)::integer;  -- 0 .. 4095
    bytes    bytea := uuid_send(gen_random_uuid());
  BEGIN
    -- bytes 0..5: the low 48 bits of the millisecond timestamp (int8send is big-endian)
    bytes := overlay(bytes PLACING substring(int8send(millis) FROM 3 FOR 6) FROM 1 FOR 6);
    -- byte 6: version 7 in the high nibble, the top 4 bits of the fraction in the low nibble
    bytes := set_byte(bytes, 6, 112 | (fraction >> 8));
    -- byte 7: the low 8 bits of the fraction
    bytes := set_byte(bytes, 7, fraction & 255);
    -- byte 8 keeps gen_random_uuid()'s variant bits (10xxxxxx)
    RETURN encode(bytes, 'hex')::uuid;
  END
  $fn$;

  COMMENT ON FUNCTION public.uuidv7() IS
    'UUID version 7 (48-bit Unix ms, 12-bit sub-ms fraction, random); shim for PostgreSQL < 18';
END
$do$;
