; Cartograph tags for Go. Extends the tags query shipped by tree-sitter-go with
; struct fields, interface methods, constants, receivers and imports.

(package_clause (package_identifier) @name) @definition.module
(function_declaration name: (identifier) @name) @definition.function
(method_declaration
  receiver: (parameter_list (parameter_declaration type: [
    (type_identifier) @receiver
    (pointer_type (type_identifier) @receiver)
    (generic_type type: (type_identifier) @receiver)
    (pointer_type (generic_type type: (type_identifier) @receiver))]))
  name: (field_identifier) @name) @definition.method

(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_spec name: (type_identifier) @name type: [(type_identifier) (qualified_type) (pointer_type) (map_type) (slice_type) (array_type) (function_type) (channel_type) (generic_type)]) @definition.type
(type_alias name: (type_identifier) @name) @definition.type
(field_declaration_list (field_declaration name: (field_identifier) @name) @definition.field)
(method_elem name: (field_identifier) @name) @definition.method
(source_file (const_declaration (const_spec name: (identifier) @name) @definition.constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @definition.variable))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name) @definition.variable)))

; references
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (selector_expression field: (field_identifier) @name)) @reference.call
(call_expression function: (parenthesized_expression (identifier) @name)) @reference.call
(composite_literal type: (type_identifier) @name) @reference.call
(composite_literal type: (qualified_type name: (type_identifier) @name)) @reference.call
(interface_type (type_elem (type_identifier) @name) @reference.inherit)
(field_declaration !name type: (type_identifier) @name) @reference.inherit
(field_declaration !name type: (pointer_type (type_identifier) @name)) @reference.inherit
(type_identifier) @name @reference.type
; field reads (`it.Name`, `cs.store.items`) and the keys of struct literals
; (`Item{Name: "x"}`)
(selector_expression field: (field_identifier) @name) @reference.other
(composite_literal type: [(type_identifier) (qualified_type) (generic_type)] body: (literal_value (keyed_element . (literal_element (identifier) @name)))) @reference.other
; ... and of literals whose type is elided in a slice, array or map literal
; (`[]Item{{Name: "x"}}`, `map[string]*Item{"k": {Name: "x"}}`): the element's type
(composite_literal
  type: [(slice_type) (array_type) (implicit_length_array_type)]
  body: (literal_value (literal_element (literal_value (keyed_element key: (literal_element (identifier) @name)))))) @reference.other
(composite_literal
  type: (map_type)
  body: (literal_value (keyed_element value: (literal_element (literal_value (keyed_element key: (literal_element (identifier) @name))))))) @reference.other

; imports
(import_spec path: (_) @import.module) @import
(import_spec name: (package_identifier) @import.alias) @import

; Thrift servers: `reviews.NewReviewServiceProcessor(handler)` answers every function of
; ReviewService with the methods of the handler's type
(call_expression
  function: [(identifier) @grpc.service (selector_expression field: (field_identifier) @grpc.service)]
  arguments: (argument_list . (_) @grpc.handler)
  (#match? @grpc.service "^New[A-Z].*Processor$")) @grpc.register

; gRPC servers registered by hand: `pb.RegisterDriverServiceServer(srv, s)` answers
; every rpc of DriverService with the methods of the second argument's type (with or
; without the generated base embedded)
(call_expression
  function: [(identifier) @grpc.service (selector_expression field: (field_identifier) @grpc.service)]
  arguments: (argument_list . (_) . (_) @grpc.handler .)
  (#match? @grpc.service "^Register[A-Z][A-Za-z0-9_]*Server$")) @grpc.register

; bindings: names whose type the syntax shows (receivers, parameters, literals)
(parameter_declaration name: (identifier) @binding.name type: [(type_identifier) @binding.type (pointer_type (type_identifier) @binding.type) (qualified_type name: (type_identifier) @binding.type) (pointer_type (qualified_type name: (type_identifier) @binding.type))])
(var_spec name: (identifier) @binding.name type: [(type_identifier) @binding.type (pointer_type (type_identifier) @binding.type)])
; slices, arrays and maps hold their elements (`[]*Item`: see `written_type`)
(parameter_declaration name: (identifier) @binding.name type: [(slice_type) (array_type) (map_type)] @binding.type)
(var_spec name: (identifier) @binding.name type: [(slice_type) (array_type) (map_type)] @binding.type)
; elements of a collection: `for _, x := range xs`
(for_statement (range_clause left: (expression_list . (_) . (identifier) @element.name) right: (_) @element.of)) @element.scope
; an element taken by index or key (`first := s.items[0]`), to the end of its block
(statement_list (short_var_declaration left: (expression_list . (identifier) @element.name)
  right: (expression_list . (index_expression operand: (_) @element.of)))) @element.scope
(short_var_declaration left: (expression_list . (identifier) @binding.name) right: (expression_list . (composite_literal type: (type_identifier) @binding.type)))
(short_var_declaration left: (expression_list . (identifier) @binding.name) right: (expression_list . (unary_expression operand: (composite_literal type: (type_identifier) @binding.type))))
(short_var_declaration left: (expression_list . (identifier) @binding.name) right: (expression_list . (call_expression function: [(identifier) @binding.type (selector_expression field: (field_identifier) @binding.type)])))

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; imported packages
(import_spec path: (interpreted_string_literal) @name) @reference.module

; locals: parameters and names bound inside functions
(parameter_declaration name: (identifier) @local)
(short_var_declaration left: (expression_list (identifier) @local))
(var_declaration (var_spec name: (identifier) @local))
(var_declaration (var_spec_list (var_spec name: (identifier) @local)))
(range_clause left: (expression_list (identifier) @local))
(variadic_parameter_declaration name: (identifier) @local)

; HTTP routes: `http.HandleFunc("/cart", h)`, `mux.HandleFunc("GET /cart/{id}", h)`,
; gin/echo `r.GET("/cart/:id", h)`, chi `r.Get("/cart/{id}", h)`
(call_expression
  function: (selector_expression field: (field_identifier) @http.method)
  arguments: (argument_list . [(interpreted_string_literal) (raw_string_literal)] @http.path . (_) @http.handler)
  (#match? @http.method "^(HandleFunc|Handle|GET|POST|PUT|DELETE|PATCH)$")) @http.route
(call_expression
  function: (selector_expression operand: (identifier) @_r field: (field_identifier) @http.method)
  arguments: (argument_list . [(interpreted_string_literal) (raw_string_literal)] @http.path . (_) @http.handler)
  (#not-eq? @_r "http")
  (#match? @http.method "^(Get|Post|Put|Delete|Patch)$")) @http.route
; gorilla/mux chains: `r.Methods("GET").Path("/cards/{id}").Handler(h)` (`PathPrefix`
; serves everything under its path), and `r.Path("/x").Methods("POST").Handler(h)`
(call_expression
  function: (selector_expression
    operand: (call_expression
      function: (selector_expression
        operand: (call_expression
          function: (selector_expression field: (field_identifier) @_m)
          arguments: (argument_list . (interpreted_string_literal) @http.method))
        field: (field_identifier) @_p)
      arguments: (argument_list . [(interpreted_string_literal) (raw_string_literal)] @http.path))
    field: (field_identifier) @_h)
  arguments: (argument_list . (_) @http.handler)
  (#eq? @_m "Methods")
  (#match? @_p "^(Path|PathPrefix)$")
  (#match? @_h "^(Handler|HandlerFunc)$")) @http.route
(call_expression
  function: (selector_expression
    operand: (call_expression
      function: (selector_expression
        operand: (call_expression
          function: (selector_expression field: (field_identifier) @_p)
          arguments: (argument_list . [(interpreted_string_literal) (raw_string_literal)] @http.path))
        field: (field_identifier) @_m)
      arguments: (argument_list . (interpreted_string_literal) @http.method))
    field: (field_identifier) @_h)
  arguments: (argument_list . (_) @http.handler)
  (#eq? @_m "Methods")
  (#match? @_p "^(Path|PathPrefix)$")
  (#match? @_h "^(Handler|HandlerFunc)$")) @http.route
; HTTP calls: `http.Get(url)`, `http.Post(url, ...)`, `http.NewRequest("PUT", url, body)`,
; `http.NewRequest(http.MethodPost, url, body)`
(call_expression
  function: (selector_expression operand: (identifier) @_o field: (field_identifier) @http.method)
  arguments: (argument_list . (_) @http.url)
  (#eq? @_o "http")
  (#match? @http.method "^(Get|Post|Head|PostForm)$")) @http.call
(call_expression
  function: (selector_expression operand: (identifier) @_o field: (field_identifier) @_f)
  arguments: (argument_list . [(interpreted_string_literal) (selector_expression)] @http.method . (_) @http.url)
  (#eq? @_o "http")
  (#eq? @_f "NewRequest")) @http.call
(call_expression
  function: (selector_expression operand: (identifier) @_o field: (field_identifier) @_f)
  arguments: (argument_list . (_) . [(interpreted_string_literal) (selector_expression)] @http.method . (_) @http.url)
  (#eq? @_o "http")
  (#eq? @_f "NewRequestWithContext")) @http.call
; constants URLs are built from
(const_spec name: (identifier) @const.name value: (expression_list . (_) @const.value))
(var_spec name: (identifier) @const.name value: (expression_list . (_) @const.value))
; a local a string is built from (`queue := os.Getenv("QUEUE")`, `url := base + "/x"`)
(short_var_declaration left: (expression_list . (identifier) @const.name .) right: (expression_list .
  [(interpreted_string_literal) (raw_string_literal) (binary_expression)
   (call_expression function: (selector_expression operand: (identifier) @_p))] @const.value .)
  (#match? @_p "^(os|fmt|strings|net|url|path)$"))

; message topics: kafka-go `kafka.Writer{Topic: "orders"}`, `kafka.ReaderConfig{Topic: "orders"}`,
; sarama `sarama.ProducerMessage{Topic: "orders"}`, `consumer.ConsumePartition("orders", ...)`,
; confluent `c.SubscribeTopics([]string{"orders"}, nil)`
(composite_literal
  type: (qualified_type name: (type_identifier) @_t)
  body: (literal_value (keyed_element . (literal_element (identifier) @_k) . (literal_element (_) @topic.name)))
  (#match? @_t "^(Writer|ProducerMessage)$")
  (#eq? @_k "Topic")) @topic.produce
(composite_literal
  type: (qualified_type name: (type_identifier) @_t)
  body: (literal_value (keyed_element . (literal_element (identifier) @_k) . (literal_element (_) @topic.name)))
  (#eq? @_t "ReaderConfig")
  (#eq? @_k "Topic")) @topic.consume
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) @topic.name)
  (#match? @_m "^(ConsumePartition|SubscribeTopics|Subscribe|SubscribeSync|QueueSubscribe|QueueSubscribeSync|ChanSubscribe|ChanQueueSubscribe|PullSubscribe)$")) @topic.consume
; RabbitMQ (amqp091-go): `ch.Publish(exchange, key, mandatory, immediate, msg)`,
; `ch.PublishWithContext(ctx, exchange, key, ...)`: the exchange names the topic unless
; it is the default ("") one, where the key is the queue
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) @topic.exchange . (_) @topic.name . (_) . (_) . (_) .)
  (#eq? @_m "Publish")) @topic.produce
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) . (_) @topic.exchange . (_) @topic.name)
  (#match? @_m "^(PublishWithContext|PublishWithDeferredConfirmWithContext)$")) @topic.produce
; `ch.Consume(queue, consumer, autoAck, exclusive, noLocal, noWait, args)`
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) @topic.name . (_) . (_) . (_) . (_) . (_) . (_) .)
  (#eq? @_m "Consume")) @topic.consume
; `ch.QueueBind(queue, key, exchange, noWait, args)`: what is published to the exchange
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) . (_) . (_) @topic.name)
  (#eq? @_m "QueueBind")) @topic.consume
; AMQP 1.0 (go-amqp): `session.NewSender(ctx, "/queues/orders", opts)`,
; `session.NewReceiver(ctx, addr, opts)`; Azure Service Bus (azservicebus):
; `client.NewSender(queueOrTopic, opts)`, `client.NewReceiverForQueue(queue, opts)`,
; `client.NewReceiverForSubscription(topic, subscription, opts)`
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) . (_) @topic.name . (_) .)
  (#eq? @_m "NewSender")) @topic.produce
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) . (_) @topic.name . (_) .)
  (#eq? @_m "NewReceiver")) @topic.consume
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) @topic.name . (_) .)
  (#eq? @_m "NewSender")) @topic.produce
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) @topic.name . (_) .)
  (#eq? @_m "NewReceiverForQueue")) @topic.consume
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) @topic.name . (_) . (_) .)
  (#eq? @_m "NewReceiverForSubscription")) @topic.consume
; NATS (nats.go): `nc.Publish(subject, data)`, `nc.Request(subject, data, timeout)`,
; JetStream `js.Publish(subject, data)`
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) @topic.name . (_) .)
  (#match? @_m "^(Publish|PublishAsync)$")) @topic.produce
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) @topic.name . (_) . (_) .)
  (#eq? @_m "Request")) @topic.produce

; arguments that may pass a URL to a function or constructor of the service
(argument_list [(identifier) (selector_expression) (interpreted_string_literal)] @const.argument
  (#match? @const.argument "(?i)((url|uri|host|endpoint|addr|base)[a-z0-9_]*$|^\"https?://)"))

; rpc addresses: `thrift.NewTSocketConf(addr, conf)`, `grpc.Dial(addr)`, `grpc.NewClient(addr)`
(call_expression
  function: (selector_expression field: (field_identifier) @_f)
  arguments: (argument_list . (_) @rpc.address)
  (#match? @_f "^(NewTSocket|NewTSocketConf|NewTSocketTimeout|Dial|NewClient)$"))

; Dapr: service invocation (`client.InvokeMethod(ctx, "cart", "items", "get")`) is an
; HTTP call to the app it names; pub/sub names the topic after the component
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) . (_) @http.app . (_) @http.url . (_) @http.method)
  (#match? @_m "^(InvokeMethod|InvokeMethodWithContent|InvokeMethodWithCustomContent)$")) @http.call
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (_) . (_) . (_) @topic.name)
  (#eq? @_m "PublishEvent")) @topic.produce
(call_expression
  function: (selector_expression field: (field_identifier) @_m)
  arguments: (argument_list . (unary_expression (composite_literal body: (literal_value
    (keyed_element key: (literal_element (identifier) @_k) value: (literal_element (_) @topic.name))))))
  (#match? @_m "^(AddTopicEventHandler|AddBulkTopicEventHandler)$")
  (#eq? @_k "Topic")) @topic.consume

; Literal paths and URLs passed to calls: where a function that makes its request with
; what it is given (a wrapper: `callAPI("/orders")`) is used.
(call_expression arguments: (argument_list [(interpreted_string_literal) (raw_string_literal)] @call.value
  (#match? @call.value "^[\"`](/|https?://)")))

; Datastores and brokers the code connects to: connection strings and MySQL DSNs,
; and the address option of a client whose name says what it is
; (`&redis.Options{Addr: a}`).
([(interpreted_string_literal) (raw_string_literal)] @store.address
  (#match? @store.address "^[\"`]((jdbc:)?(mongodb(\\+srv)?|rediss?|amqps?|postgres(ql)?|mysql|mariadb|nats|kafka|cassandra|memcached)://|[^\"`]*@tcp\\()"))
(composite_literal body: (literal_value (keyed_element . (literal_element (identifier) @_k) . (literal_element (_) @store.address)))
  (#match? @_k "^(Addr|Addrs|Host|Hosts|URL|URI|Address)$"))
; A parameter passed on to another call (a wrapper calling a wrapper: filled
; where the caller is called).
(call_expression arguments: (argument_list (identifier) @call.value
  (#match? @call.value "(?i)(path|url|uri|endpoint|route|queue|topic|exchange|subject)")))
; A destination's name passed to a function that publishes or consumes (a helper
; whose parameter names the topic: filled in where it is called).
(call_expression function: [(identifier) @_callee (selector_expression field: (field_identifier) @_callee)] arguments: (argument_list [(interpreted_string_literal) (raw_string_literal)] @call.value)
  (#match? @_callee "(?i)(publish|send|emit|produce|subscribe|consume|listen|receive)"))
