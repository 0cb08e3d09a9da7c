/// The HTTP API's contract, served at `/openapi.yaml`. It is the source of truth: the server's
/// routes are tested against its paths (`ServerOperationsTests.documentMatchesRoutes`) and `scripts/schemathesis.sh`
/// checks live answers against its schemas.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.0.3
        info:
          title: Switchyard
          version: "1"
          description: |
            The Switchyard engine as an HTTP service: deploy statecharts (SCXML), start durable
            instances, send them events, watch them change, ask rule sets for routing decisions.
            Every error is an RFC 9457 problem document (`application/problem+json`) with a stable
            `type` (`urn:switchyard:problem:<slug>`). Send `Authorization: Bearer <token>`: `read`
            for GET, `write` for starting, cancelling and events, `admin` for deploying and for
            dead letters (`admin` includes `write` includes `read`).
        servers:
          - url: http://127.0.0.1:8080
        security:
          - bearer: []
        paths:
          /healthz:
            get:
              summary: Liveness
              security: []
              responses:
                "200": {description: The process is up, content: {application/json: {schema: {$ref: "#/components/schemas/Status"}}}}
          /readyz:
            get:
              summary: Readiness (after recovery)
              security: []
              responses:
                "200": {description: Running instances are recovered, content: {application/json: {schema: {$ref: "#/components/schemas/Status"}}}}
                "503": {$ref: "#/components/responses/Problem"}
          /metrics:
            get:
              summary: Prometheus metrics
              responses:
                "200": {description: Prometheus text format, content: {text/plain: {schema: {type: string}}}}
                "401": {$ref: "#/components/responses/Problem"}
          /openapi.yaml:
            get:
              summary: This document
              security: []
              responses:
                "200": {description: The OpenAPI document, content: {application/yaml: {schema: {type: string}}}}
          /v1/machines:
            get:
              summary: List deployed machines
              responses:
                "200": {description: Machines, content: {application/json: {schema: {$ref: "#/components/schemas/MachineList"}}}}
                "401": {$ref: "#/components/responses/Problem"}
            post:
              summary: Deploy a machine (a new version when the name exists)
              description: The body is an SCXML document. Errors come back as a 422 problem whose `errors` give file, line and column.
              parameters:
                - {name: name, in: query, required: false, schema: {type: string, pattern: "^[A-Za-z0-9_.-]{1,128}$"}, description: "Machine name (default: the document's name attribute)"}
              requestBody:
                required: true
                content:
                  application/xml: {schema: {type: string}}
              responses:
                "200": {description: Identical to the newest version (nothing new), content: {application/json: {schema: {$ref: "#/components/schemas/Deployment"}}}}
                "201": {description: Deployed, content: {application/json: {schema: {$ref: "#/components/schemas/Deployment"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "413": {$ref: "#/components/responses/Problem"}
                "422": {$ref: "#/components/responses/Problem"}
          /v1/machines/{name}:
            parameters:
              - {$ref: "#/components/parameters/MachineName"}
            get:
              summary: One machine with its versions
              responses:
                "200": {description: The machine, content: {application/json: {schema: {$ref: "#/components/schemas/Machine"}}}}
                "401": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
          /v1/machines/{name}/graph:
            parameters:
              - {$ref: "#/components/parameters/MachineName"}
            get:
              summary: The machine's diagram
              parameters:
                - {name: format, in: query, required: false, schema: {type: string, enum: [dot, mermaid, svg]}}
                - {name: version, in: query, required: false, schema: {type: integer, format: int64, minimum: 1, maximum: 9223372036854775807}}
              responses:
                "200":
                  description: Graphviz DOT, a Mermaid stateDiagram-v2, or SVG laid out by Graphviz (every state's element carries data-state-id)
                  content:
                    text/vnd.graphviz: {schema: {type: string}}
                    text/plain: {schema: {type: string}}
                    image/svg+xml: {schema: {type: string}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
                "422": {$ref: "#/components/responses/Problem"}
          /v1/machines/{name}/instances:
            parameters:
              - {$ref: "#/components/parameters/MachineName"}
            post:
              summary: Start an instance under a generated id
              requestBody:
                required: false
                content:
                  application/json: {schema: {$ref: "#/components/schemas/CreateInstance"}}
              responses:
                "201": {description: Started, content: {application/json: {schema: {$ref: "#/components/schemas/Instance"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
                "415": {$ref: "#/components/responses/Problem"}
                "422": {$ref: "#/components/responses/Problem"}
          /v1/machines/{name}/events:
            parameters:
              - {$ref: "#/components/parameters/MachineName"}
            post:
              summary: Correlated delivery (start-or-signal)
              description: Delivers to the running instance `<name>:<correlationKey>`, or with `startIfAbsent` starts it first.
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: "#/components/schemas/CorrelatedEvent"}}
              responses:
                "200": {description: Delivered and processed, content: {application/json: {schema: {$ref: "#/components/schemas/DeliveryResult"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
                "409": {$ref: "#/components/responses/Problem"}
                "415": {$ref: "#/components/responses/Problem"}
                "422": {$ref: "#/components/responses/Problem"}
          /v1/instances:
            get:
              summary: List and search instances (keyset pagination by id)
              description: Filters combine. `data.FIELD=VALUE` matches a data-model field of running instances (only fields the machine declares with sy:searchable); `inactiveFor=2d` keeps instances unchanged for at least that long.
              parameters:
                - {name: machine, in: query, required: false, schema: {type: string}}
                - {name: status, in: query, required: false, schema: {type: string, enum: [running, finished, stopped]}}
                - {name: state, in: query, required: false, schema: {type: string}, description: An active state id}
                - {name: inactiveFor, in: query, required: false, schema: {type: string, pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)?$"}}
                - {name: limit, in: query, required: false, schema: {type: integer, minimum: 0, maximum: 1000, default: 100}}
                - {name: cursor, in: query, required: false, schema: {type: string}, description: nextCursor of the previous page}
              responses:
                "200": {description: A page, content: {application/json: {schema: {$ref: "#/components/schemas/InstancePage"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
          /v1/instances/{id}:
            parameters:
              - {$ref: "#/components/parameters/InstanceID"}
            get:
              summary: One instance (long-polls with afterSeq)
              parameters:
                - {name: afterSeq, in: query, required: false, schema: {type: integer, format: int64, minimum: 0, maximum: 9223372036854775807}, description: Answer once the journal passes this sequence}
                - {name: timeout, in: query, required: false, schema: {type: string, pattern: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)?$", default: 30s}}
                - {name: If-None-Match, in: header, required: false, schema: {type: string}}
              responses:
                "200":
                  description: The instance; ETag is its journal sequence
                  headers: {ETag: {schema: {type: string}}}
                  content: {application/json: {schema: {$ref: "#/components/schemas/Instance"}}}
                "304": {description: Unchanged since the ETag given}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
            put:
              summary: Start an instance with this id
              parameters:
                - {$ref: "#/components/parameters/NewInstanceID"}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: "#/components/schemas/StartInstance"}}
              responses:
                "200": {description: Already running (conflictPolicy useExisting), content: {application/json: {schema: {$ref: "#/components/schemas/Instance"}}}}
                "201": {description: Started, content: {application/json: {schema: {$ref: "#/components/schemas/Instance"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
                "409": {$ref: "#/components/responses/Problem"}
                "415": {$ref: "#/components/responses/Problem"}
                "422": {$ref: "#/components/responses/Problem"}
          /v1/instances/{id}/journal:
            parameters:
              - {$ref: "#/components/parameters/InstanceID"}
            get:
              summary: A page of the instance's journal (every run)
              parameters:
                - {name: afterSeq, in: query, required: false, schema: {type: integer, format: int64, minimum: 0, maximum: 9223372036854775807}}
                - {name: limit, in: query, required: false, schema: {type: integer, minimum: 0, maximum: 1000, default: 100}}
              responses:
                "200": {description: Journal entries, content: {application/json: {schema: {$ref: "#/components/schemas/JournalPage"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
          /v1/instances/{id}/cancel:
            parameters:
              - {$ref: "#/components/parameters/InstanceID"}
            post:
              summary: Stop a running instance
              responses:
                "200": {description: Stopped, content: {application/json: {schema: {$ref: "#/components/schemas/Cancelled"}}}}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
                "409": {$ref: "#/components/responses/Problem"}
          /v1/instances/{id}/events:
            parameters:
              - {$ref: "#/components/parameters/InstanceID"}
            post:
              summary: Send an event
              description: Answers once the event is journaled. The same Idempotency-Key (or eventId) returns the first answer and applies nothing twice; the same key with another event is a 422.
              parameters:
                - {name: wait, in: query, required: false, schema: {type: string, enum: [processed, journaled]}}
                - {name: Idempotency-Key, in: header, required: false, schema: {type: string, minLength: 1, maxLength: 200}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: "#/components/schemas/SendEvent"}}
              responses:
                "200": {description: Processed (wait=processed), content: {application/json: {schema: {$ref: "#/components/schemas/DeliveryResult"}}}}
                "202": {description: Journaled, content: {application/json: {schema: {$ref: "#/components/schemas/DeliveryResult"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
                "409": {$ref: "#/components/responses/Problem"}
                "413": {$ref: "#/components/responses/Problem"}
                "415": {$ref: "#/components/responses/Problem"}
                "422": {$ref: "#/components/responses/Problem"}
                "503": {$ref: "#/components/responses/Problem"}
          /v1/instances/{id}/stream:
            parameters:
              - {$ref: "#/components/parameters/InstanceID"}
            get:
              summary: Server-Sent Events, one per journal record
              description: "`id:` is the journal sequence; reconnect with Last-Event-ID to resume without gaps. Each `data:` is a JournalEntry."
              parameters:
                - {name: Last-Event-ID, in: header, required: false, schema: {type: string, pattern: "^[0-9]{1,18}$"}}
                - {name: afterSeq, in: query, required: false, schema: {type: integer, format: int64, minimum: 0, maximum: 9223372036854775807}}
              responses:
                "200":
                  description: An event stream (the schema is that of one event)
                  content:
                    text/event-stream:
                      schema:
                        type: object
                        required: [id, event, data]
                        properties:
                          id: {type: string, pattern: "^[0-9]+$", description: The journal sequence}
                          event: {type: string, description: The record's kind}
                          data: {type: string, description: A JournalEntry as JSON}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
          /v1/rules:
            get:
              summary: Deployed rule sets
              responses:
                "200": {description: Names, content: {application/json: {schema: {type: object, required: [ruleSets], properties: {ruleSets: {type: array, items: {type: string}}}}}}}
                "401": {$ref: "#/components/responses/Problem"}
          /v1/rules/{name}/decide:
            parameters:
              - {name: name, in: path, required: true, schema: {type: string}}
            post:
              summary: Route a document through a rule set
              parameters:
                - {name: explain, in: query, required: false, schema: {type: boolean}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {type: object, additionalProperties: true}}
              responses:
                "200": {description: The decision, content: {application/json: {schema: {$ref: "#/components/schemas/Decision"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
                "413": {$ref: "#/components/responses/Problem"}
          /v1/basichttp/{id}:
            parameters:
              - {name: id, in: path, required: true, schema: {type: string}}
            post:
              summary: An event for an instance through the W3C Basic HTTP Event I/O Processor
              description: >-
                The instance's `_ioprocessors.basichttp.location` (with its `key`), where other SCXML
                engines and webhooks POST events (SCXML D.2). The event is named by the
                `_scxmleventname` form field or query parameter, else `HTTP.POST`; other form fields
                become `_event.data`, a JSON body its value; `_event.raw` is the request. Authorised by
                the key, or a bearer token with the write scope. `Idempotency-Key` makes a repeat apply
                nothing.
              security: [{}, {bearer: []}]
              parameters:
                - {name: key, in: query, required: false, schema: {type: string}}
                - {name: _scxmleventname, in: query, required: false, schema: {type: string}}
                - {name: Idempotency-Key, in: header, required: false, schema: {type: string, minLength: 1, maxLength: 200}}
              requestBody:
                required: false
                content:
                  application/x-www-form-urlencoded: {schema: {type: object, additionalProperties: {type: string}}}
                  application/json: {schema: {}}
                  text/plain: {schema: {type: string}}
              responses:
                "200": {description: Journaled and processed, content: {application/json: {schema: {type: object, required: [instance, event, duplicate], properties: {instance: {type: string}, event: {type: string}, duplicate: {type: boolean}}}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
                "409": {$ref: "#/components/responses/Problem"}
                "413": {$ref: "#/components/responses/Problem"}
                "503": {$ref: "#/components/responses/Problem"}
          /v1/dead-letters:
            get:
              summary: Dead letters, oldest first
              parameters:
                - {name: limit, in: query, required: false, schema: {type: integer, minimum: 0, maximum: 10000, default: 1000}}
              responses:
                "200": {description: Dead letters, content: {application/json: {schema: {$ref: "#/components/schemas/DeadLetterList"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Problem"}
          /v1/dead-letters/{id}:
            parameters:
              - {name: id, in: path, required: true, schema: {type: string}}
            delete:
              summary: Discard a dead letter
              responses:
                "200": {description: Discarded, content: {application/json: {schema: {type: object, required: [discarded], properties: {discarded: {type: integer}}}}}}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
          /v1/dead-letters/{id}/replay:
            parameters:
              - {name: id, in: path, required: true, schema: {type: string}}
            post:
              summary: Send a dead letter again
              responses:
                "200": {description: Replayed, content: {application/json: {schema: {type: object, required: [replayed], properties: {replayed: {type: integer}}}}}}
                "401": {$ref: "#/components/responses/Problem"}
                "403": {$ref: "#/components/responses/Problem"}
                "404": {$ref: "#/components/responses/Problem"}
        components:
          securitySchemes:
            bearer: {type: http, scheme: bearer}
          parameters:
            MachineName: {name: name, in: path, required: true, schema: {type: string}}
            InstanceID: {name: id, in: path, required: true, schema: {type: string}}
            NewInstanceID:
              name: id
              in: path
              required: true
              description: 1 to 200 characters without '/' or line breaks (else 422)
              schema: {type: string, minLength: 1, maxLength: 200, pattern: "^[^/\n\r\u000b\u000c\u0085\u2028\u2029]+$"}
          responses:
            Problem:
              description: An RFC 9457 problem document
              content:
                application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}
          schemas:
            Problem:
              type: object
              required: [type, title, status, detail]
              properties:
                type: {type: string, description: "urn:switchyard:problem:<slug>"}
                title: {type: string}
                status: {type: integer}
                detail: {type: string}
                errors: {type: array, items: {$ref: "#/components/schemas/Diagnostic"}}
              additionalProperties: true
            Status:
              type: object
              required: [status]
              properties: {status: {type: string}}
            Diagnostic:
              type: object
              required: [file, line, column, severity, message]
              properties:
                file: {type: string}
                line: {type: integer}
                column: {type: integer}
                severity: {type: string}
                message: {type: string}
            Deployment:
              type: object
              required: [name, version, hash, created, warnings]
              properties:
                name: {type: string}
                version: {type: integer}
                hash: {type: string}
                created: {type: boolean}
                warnings: {type: array, items: {$ref: "#/components/schemas/Diagnostic"}}
            MachineList:
              type: object
              required: [machines]
              properties:
                machines:
                  type: array
                  items:
                    type: object
                    required: [name, latestVersion, hash, versions]
                    properties:
                      name: {type: string}
                      latestVersion: {type: integer}
                      hash: {type: string}
                      versions: {type: integer}
            Machine:
              type: object
              required: [name, latestVersion, versions]
              properties:
                name: {type: string}
                latestVersion: {type: integer}
                versions:
                  type: array
                  items: {type: object, required: [version, hash], properties: {version: {type: integer}, hash: {type: string}}}
            StartInstance:
              type: object
              required: [machine]
              additionalProperties: false
              properties:
                machine: {type: string}
                data: {type: object, additionalProperties: true, nullable: true}
                conflictPolicy: {type: string, enum: [useExisting, fail, terminateExisting]}
                correlationKey: {type: string, nullable: true}
            CreateInstance:
              type: object
              additionalProperties: false
              properties:
                data: {type: object, additionalProperties: true, nullable: true}
                correlationKey: {type: string, nullable: true}
            Instance:
              type: object
              required: [id, machine, status, configuration, data]
              properties:
                id: {type: string}
                machine: {type: string}
                version: {type: integer}
                status: {type: string, enum: [running, finished, stopped]}
                finalState: {type: string, nullable: true}
                configuration: {type: array, items: {type: string}}
                data: {type: object, additionalProperties: true}
                pendingTimers:
                  type: array
                  items: {type: object, required: [sendId, event, due], properties: {sendId: {type: string}, event: {type: string}, due: {type: string}}}
                activities: {type: array, items: {type: string}}
                children: {type: object, additionalProperties: {type: string}}
                parent: {type: string, nullable: true}
                seq: {type: integer}
                startedAt: {type: string}
                updatedAt: {type: string}
            InstanceSummary:
              type: object
              required: [id, machine, status, seq, updatedAt]
              properties:
                id: {type: string}
                machine: {type: string}
                status: {type: string, enum: [running, finished, stopped]}
                seq: {type: integer}
                updatedAt: {type: string}
                configuration: {type: array, items: {type: string}}
            InstancePage:
              type: object
              required: [instances, nextCursor]
              properties:
                instances: {type: array, items: {$ref: "#/components/schemas/InstanceSummary"}}
                nextCursor: {type: string, nullable: true}
            JournalEntry:
              type: object
              required: [seq, run, kind, time, configuration, entered, exited]
              properties:
                seq: {type: integer}
                run: {type: integer}
                kind: {type: string}
                time: {type: string}
                due: {type: string}
                event: {type: string, nullable: true}
                eventId: {type: string, nullable: true}
                data: {}
                configuration: {type: array, items: {type: string}}
                entered: {type: array, items: {type: string}}
                exited: {type: array, items: {type: string}}
            JournalPage:
              type: object
              required: [instance, entries, nextAfterSeq]
              properties:
                instance: {type: string}
                entries: {type: array, items: {$ref: "#/components/schemas/JournalEntry"}}
                nextAfterSeq: {type: integer, nullable: true}
            Cancelled:
              type: object
              required: [id, status]
              properties: {id: {type: string}, status: {type: string}}
            SendEvent:
              type: object
              required: [name]
              additionalProperties: false
              properties:
                name: {type: string, minLength: 1, maxLength: 256, pattern: "^\\S+$"}
                data: {}
                eventId: {type: string, minLength: 1, maxLength: 200, nullable: true}
            CorrelatedEvent:
              type: object
              required: [name, correlationKey]
              additionalProperties: false
              properties:
                name: {type: string, minLength: 1, maxLength: 256, pattern: "^\\S+$"}
                correlationKey: {type: string, minLength: 1}
                data: {}
                eventId: {type: string, minLength: 1, maxLength: 200, nullable: true}
                startIfAbsent: {type: boolean, nullable: true}
                startData: {type: object, additionalProperties: true, nullable: true}
            DeliveryResult:
              type: object
              required: [instance, seq, duplicate]
              properties:
                instance: {type: string}
                seq: {type: integer, nullable: true}
                duplicate: {type: boolean}
                started: {type: boolean}
                handled: {type: boolean, nullable: true}
                configuration: {type: array, items: {type: string}}
            Decision:
              type: object
              required: [ruleSet, outcome, targets, routes, errors]
              properties:
                ruleSet: {type: string}
                outcome: {type: string, enum: [matched, defaulted, noMatch]}
                target: {type: string, nullable: true}
                rule: {type: string, nullable: true}
                params: {type: object, additionalProperties: true}
                targets: {type: array, items: {type: string}}
                rules: {type: array, items: {type: string}}
                routes: {type: array, items: {type: object}}
                errors: {type: array, items: {type: object}}
                explanation: {type: string}
            DeadLetter:
              type: object
              required: [id, event, instance, reason, at]
              properties:
                id: {type: string}
                event: {type: string}
                instance: {type: string, nullable: true}
                reason: {type: string}
                at: {type: string}
                data: {}
            DeadLetterList:
              type: object
              required: [deadLetters, total]
              properties:
                deadLetters: {type: array, items: {$ref: "#/components/schemas/DeadLetter"}}
                total: {type: integer}
        """#
}
