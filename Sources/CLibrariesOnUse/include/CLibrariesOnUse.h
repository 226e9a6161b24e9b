// libcurl, libpq and libcrypto, opened with dlopen when a run first needs one (a live
// export, a PostgreSQL store, eid-transform --hash) instead of being linked: most runs
// need none of them, and loading the three with what they load in turn (Kerberos, LDAP,
// GnuTLS, SSH: 30 libraries in all) was about 40% of every tool's start-up (bench/README.md,
// "Start-up").
//
// Each eid_* function below calls the function of the same name after its prefix, so
// libcurl's and libpq's manuals describe them. Call the library's load function first,
// and only go on when it answers NULL.
#ifndef CLIBRARIESONUSE_H
#define CLIBRARIESONUSE_H
#include <stddef.h>
#include <curl/curl.h>
// Debian keeps libpq's headers in a folder of their own; other systems may not.
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif

// Each loads its library the first time (once, whichever thread asks) and answers NULL
// when it is loaded, or the loader's message when it could not be.
const char *eid_libcurl_load(void);
const char *eid_libpq_load(void);
const char *eid_libcrypto_load(void);

// libcurl. curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// one function per argument type.
CURLcode eid_curl_global_init(long flags);
CURL *eid_curl_easy_init(void);
void eid_curl_easy_cleanup(CURL *curl);
void eid_curl_easy_reset(CURL *curl);
CURLcode eid_curl_easy_perform(CURL *curl);
const char *eid_curl_easy_strerror(CURLcode code);
struct curl_slist *eid_curl_slist_append(struct curl_slist *list, const char *line);
void eid_curl_slist_free_all(struct curl_slist *list);
CURLcode eid_curl_set_long(CURL *curl, CURLoption option, long value);
CURLcode eid_curl_set_string(CURL *curl, CURLoption option, const char *value);
CURLcode eid_curl_set_pointer(CURL *curl, CURLoption option, void *value);
CURLcode eid_curl_set_write(CURL *curl, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode eid_curl_set_header(CURL *curl, size_t (*callback)(char *, size_t, size_t, void *));
// CURLINFO_RESPONSE_CODE: the last answer's HTTP status (0 before one came).
long eid_curl_status(CURL *curl);

// libpq.
PGconn *eid_PQconnectdb(const char *conninfo);
ConnStatusType eid_PQstatus(const PGconn *conn);
char *eid_PQerrorMessage(const PGconn *conn);
void eid_PQfinish(PGconn *conn);
PGresult *eid_PQexec(PGconn *conn, const char *query);
PGresult *eid_PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                           const char *const *paramValues, const int *paramLengths, const int *paramFormats,
                           int resultFormat);
PGresult *eid_PQgetResult(PGconn *conn);
int eid_PQputCopyData(PGconn *conn, const char *buffer, int nbytes);
int eid_PQputCopyEnd(PGconn *conn, const char *errormsg);
void eid_PQclear(PGresult *res);
ExecStatusType eid_PQresultStatus(const PGresult *res);
char *eid_PQresultErrorMessage(const PGresult *res);
char *eid_PQcmdTuples(PGresult *res);
int eid_PQntuples(const PGresult *res);
int eid_PQnfields(const PGresult *res);
char *eid_PQfname(const PGresult *res, int field_num);
char *eid_PQgetvalue(const PGresult *res, int tup_num, int field_num);
int eid_PQgetlength(const PGresult *res, int tup_num, int field_num);
int eid_PQgetisnull(const PGresult *res, int tup_num, int field_num);

// libcrypto: HMAC-SHA-256 of data keyed by key into out (32 bytes); 0 when done.
int eid_hmac_sha256(const void *key, int keyLength, const unsigned char *data, size_t length,
                    unsigned char *out);
#endif
