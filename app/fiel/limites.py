"""What an e.firma check reads and admits at most: the uploaded files, the key's derivation cost, and what is
stored of an admitted e.firma. Kept in one place because the messages (mensajes.py), the readers (certificado.py,
llave.py) and the database (models.Contratista) size themselves with them."""

# A SAT .cer is about 1.5 KB and a .key 1.3 KB; anything far bigger is not one, and parsing it would only cost time.
MAX_FILE_BYTES = 64 * 1024
# An uploaded key names its own key-derivation cost, paid on every password tried before the password is known to
# be right, so a large count would tie up a worker (1,000,000 PBKDF2 rounds took 0.2-0.8 s per Validar). Every real
# SAT key (fixtures/sat: the 2017-2023 e.firmas and CSDs, and openssl's PEM re-encryptions) uses PBKDF2 with 2,048
# iterations, and so do the demo keys (`cryptography` 50's BestAvailableEncryption) and openssl's PKCS#8 default;
# openssl's "RSA PRIVATE KEY" with DEK-Info derives with one MD5 round (EVP_BytesToKey), not PBKDF2. 3,000 is the
# smallest round number above 2,048: a hostile key costs at most ~1.5 times a real one. Above it: MSG_KEY_UNSUPPORTED.
MAX_KDF_ITERATIONS = 3_000
# What is stored of an admitted e.firma (models.Contratista sizes its columns with these):
# - the serial: RFC 5280 (4.1.2.2) allows at most 20 octets, a positive integer below 2**160, which is 49 decimal
#   digits at most ("SAT-style" serials, the ASCII codes of 20 digits, show as those 20 digits);
MAX_SERIAL_BITS = 160
MAX_SERIAL_DIGITS = len(str(2**MAX_SERIAL_BITS - 1))  # 49
# - the holder's name (CN): SAT's names fit CFDI's 254 characters; a longer one is refused, not cut.
MAX_NOMBRE = 300
